"""compiler: see DESIGN.md."""
