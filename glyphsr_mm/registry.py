"""Registries of glyphsr_mm: MMagic's own, or inert stand-ins when MMagic is not installed.

Registration is a decorator, not a dependency: every core module is a plain ``nn.Module`` (or plain class)
that can be imported and used with torch alone, e.g. for benchmarking. With MMagic installed the decorators
register into ``mmagic.registry`` so that configs with ``custom_imports=dict(imports=['glyphsr_mm'])``
can build them.
"""
from typing import Any, Callable, Optional


class _InertRegistry:
    """Registry stand-in: ``register_module`` returns the class unchanged; building is refused."""

    def __init__(self, name: str) -> None:
        self.name = name

    def register_module(self, name: Optional[str] = None, force: bool = False,
                        module: Any = None) -> Callable:
        if module is not None:
            return module
        return lambda cls: cls

    def build(self, cfg: Any, *args, **kwargs) -> Any:
        raise RuntimeError(
            f'Building {cfg!r} from the {self.name} registry needs MMagic (pip install mmagic==1.2.0, '
            'or run tools/setup_env.sh); without it, instantiate glyphsr_mm classes directly.')


try:  # pragma: no branch
    from mmagic.registry import DATA_SAMPLERS, DATASETS, METRICS, MODELS, TRANSFORMS, VISUALIZERS, HOOKS
    HAS_MMAGIC = True
except ImportError:  # torch-only installs
    MODELS, DATASETS, DATA_SAMPLERS, TRANSFORMS, METRICS, VISUALIZERS, HOOKS = (
        _InertRegistry(n) for n in ('MODELS', 'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'METRICS', 'VISUALIZERS',
                                    'HOOKS'))
    HAS_MMAGIC = False

__all__ = ['MODELS', 'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'METRICS', 'VISUALIZERS', 'HOOKS', 'HAS_MMAGIC']
