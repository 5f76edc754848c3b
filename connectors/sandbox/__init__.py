"""The sandbox: a simulated vendor world served over HTTP in the vendors' wire formats."""

from .credentials import SandboxCredentials, sandbox_env
from .server import SandboxServer, run_sandbox
from .world import World

__all__ = ["SandboxCredentials", "SandboxServer", "World", "run_sandbox", "sandbox_env"]
