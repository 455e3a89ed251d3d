"""tasks: see DESIGN.md."""
