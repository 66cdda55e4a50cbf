"""The imports run one way (docs/architecture.md): cli -> apis -> engine / evaluation -> models / glyph /
transforms -> datasets -> layers / utils. Read from the source (every import, module-level or inside a function)."""
import ast
import os

from tests.conftest import ROOT

BELOW_MODELS = {'registry', 'utils'}
ALLOWED = {
    'utils': set(),
    'registry': set(),
    'version': set(),
    'datasets': BELOW_MODELS,
    'glyph': BELOW_MODELS | {'datasets'},
    'transforms': BELOW_MODELS | {'datasets', 'glyph'},
    'models.layers': BELOW_MODELS,
    'models.recognizers': BELOW_MODELS | {'models.layers'},
    'models.losses': BELOW_MODELS | {'models.layers', 'models.recognizers'},
    'models.editors': BELOW_MODELS | {'models.layers', 'models.recognizers', 'models.losses'},
    'models': BELOW_MODELS | {'models.layers', 'models.recognizers', 'models.losses', 'models.editors'},
    'evaluation': BELOW_MODELS | {'models', 'models.recognizers'},
    'engine': BELOW_MODELS,
    'apis': BELOW_MODELS | {'datasets', 'glyph', 'transforms', 'models', 'models.editors', 'evaluation'},
}


def _part(dotted: str) -> str:
    """'glyphsr_mm.models.layers.dsta' -> 'models.layers'; 'glyphsr_mm.glyph.x' -> 'glyph'."""
    parts = dotted.split('.')[1:]
    if not parts:
        return '(root)'
    return '.'.join(parts[:2]) if parts[0] == 'models' and len(parts) > 1 and parts[1] != '__init__' else parts[0]


def imports_by_part():
    found = {}
    pkg = os.path.join(ROOT, 'glyphsr_mm')
    for d, _, files in os.walk(pkg):
        for f in files:
            if not f.endswith('.py'):
                continue
            path = os.path.join(d, f)
            module = os.path.relpath(path, ROOT)[:-3].replace(os.sep, '.')
            package = module.split('.') if f == '__init__.py' else module.split('.')[:-1]
            if f == '__init__.py':
                package = package[:-1]
                module = '.'.join(package)
            for node in ast.walk(ast.parse(open(path).read())):
                if isinstance(node, ast.ImportFrom):
                    base = package[:len(package) - node.level + 1] if node.level else []
                    targets = ['.'.join(base + [node.module or ''])] if node.level else [node.module or '']
                elif isinstance(node, ast.Import):
                    targets = [a.name for a in node.names]
                else:
                    continue
                for t in targets:
                    t = t.rstrip('.')
                    if t.startswith('glyphsr_mm.') and _part(t) != _part(module):
                        found.setdefault(_part(module), {}).setdefault(_part(t), []).append(module)
    return found


def test_imports_run_one_way():
    wrong = []
    for part, targets in imports_by_part().items():
        if part in ('cli', '(root)'):
            continue
        allowed = ALLOWED.get(part)
        assert allowed is not None, f'glyphsr_mm.{part} is not in the layer map of this test (docs/architecture.md)'
        wrong += [f'{m} imports glyphsr_mm.{t}' for t, modules in targets.items() if t not in allowed
                  for m in sorted(set(modules))]
    assert not wrong, '\n'.join(wrong)


def test_utils_are_leaves_and_nothing_imports_cli():
    found = imports_by_part()
    assert 'utils' not in found, found.get('utils')
    users = [p for p, targets in found.items() if 'cli' in targets and p != 'cli']
    assert not users, users
