"""Registries of glyphsr_mm: MMagic's own, or inert stand-ins when MMagic is not installed.

Registration is a decorator, not a dependency: every core module is a plain ``nn.Module`` (or plain class)
that can be imported and used with torch alone, e.g. for benchmarking. With MMagic installed the decorators
register into ``mmagic.registry`` so that configs with ``custom_imports=dict(imports=['glyphsr_mm'])``
can build them.

The few modules that subclass runner-side classes (MMagic's ``BaseEditModel``, MMEngine's ``Hook``,
``BaseModel``, MMagic's metrics) import packages that take seconds; :func:`register_on_first_lookup` registers
them the way MMagic registers its own modules: the registry imports them the first time it is asked for a
component (MMEngine's registry ``locations``), so ``import glyphsr_mm`` stays fast.
"""
from importlib import import_module
from typing import Any, Callable, Dict, List, Optional


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
    from mmagic.registry import (DATA_SAMPLERS, DATASETS, HOOKS, LOOPS, METRICS, MODELS, OPTIM_WRAPPERS,
                                 TRANSFORMS, VISUALIZERS)
    HAS_MMAGIC = True
except ImportError:  # torch-only installs
    MODELS, DATASETS, DATA_SAMPLERS, TRANSFORMS, METRICS, VISUALIZERS, HOOKS, OPTIM_WRAPPERS, LOOPS = (
        _InertRegistry(n) for n in ('MODELS', 'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'METRICS', 'VISUALIZERS',
                                    'HOOKS', 'OPTIM_WRAPPERS', 'LOOPS'))
    HAS_MMAGIC = False

__all__ = ['MODELS', 'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'METRICS', 'VISUALIZERS', 'HOOKS', 'OPTIM_WRAPPERS',
           'LOOPS', 'HAS_MMAGIC']


#: Modules imported by a registry on its first lookup instead of at ``import glyphsr_mm`` (see the module doc).
ON_FIRST_LOOKUP: Dict[str, List[str]] = {
    'MODELS': ['glyphsr_mm.models.editors.glyphsr.glyphsr', 'glyphsr_mm.models.recognizers.training'],
    'HOOKS': ['glyphsr_mm.engine'],
    'OPTIM_WRAPPERS': ['glyphsr_mm.engine'],
    'LOOPS': ['glyphsr_mm.engine'],
    'METRICS': ['glyphsr_mm.evaluation.metrics'],
}


def register_on_first_lookup() -> None:
    """Add :data:`ON_FIRST_LOOKUP` to the import locations of MMagic's registries (MMEngine imports a registry's
    locations before its first ``get``/``build``); a registry that has already imported its locations gets the
    modules imported now."""
    if not HAS_MMAGIC:
        return
    registries = dict(MODELS=MODELS, HOOKS=HOOKS, METRICS=METRICS, OPTIM_WRAPPERS=OPTIM_WRAPPERS, LOOPS=LOOPS)
    for name, modules in ON_FIRST_LOOKUP.items():
        registry = registries[name]
        for module in modules:
            if registry._imported:  # MMEngine has no public API to add a location
                import_module(module)
            elif module not in registry._locations:
                registry._locations.append(module)
