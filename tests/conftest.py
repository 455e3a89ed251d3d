"""Suite-wide settings.

The models under test are tiny: torch's thread pool costs more than it gives
(and two pytest-xdist workers with two threads each oversubscribe two cores),
so every test process uses one thread.
"""

import torch

torch.set_num_threads(1)
