"""`rasplab.compare` and `rasplab.train` are both a package and its main function.

`from rasplab import compare, train` must give functions (the front door), while
`rasplab.compare.Settings` and `import rasplab.train.grok` must keep working. Python
binds a subpackage to its parent's attribute on import, so the two can only agree
if the package itself can be called: its module object gets a class with __call__.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any


def make_callable(module_name: str, function: Callable[..., Any]) -> None:
    """Let calling the module `module_name` call `function`."""

    class CallableModule(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return function(*args, **kwargs)

    CallableModule.__call__.__doc__ = function.__doc__
    sys.modules[module_name].__class__ = CallableModule
