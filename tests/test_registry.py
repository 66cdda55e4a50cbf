"""`import glyphsr_mm` registers into MMagic's registries, lazily, and configs reach it via custom_imports."""
import subprocess
import sys

from mmengine.config import Config
from mmengine.registry import init_default_scope


def test_import_registers_without_mmagic_model_zoo():
    code = ('import sys, glyphsr_mm\n'
            'from mmagic.registry import MODELS\n'
            '# module_dict, not MODELS.get(): get() imports the registry locations (all of mmagic.models)\n'
            'assert "GlyphSRModulatedDeformConv2d" in MODELS.module_dict\n'
            'heavy = [m for m in ("mmagic.models", "mmagic.apis", "diffusers", "mmocr.models", "mmengine.model",\n'
            '                     "mmengine.hooks", "mmengine.runner") if m in sys.modules]\n'
            'print("HEAVY", heavy)\n')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout
    assert 'HEAVY []' in out


def test_config_custom_imports_builds_component():
    cfg = Config(dict(custom_imports=dict(imports=['glyphsr_mm'], allow_failed_imports=False),
                      default_scope='mmagic',
                      model=dict(type='GlyphSRModulatedDeformConv2d', in_channels=4, out_channels=4,
                                 kernel_size=3, padding=1, groups=4, deform_groups=4, backend='torchvision')))
    # what the runner does with custom_imports (Config(dict) does not): the test must not rely on an earlier test
    # having imported glyphsr_mm
    from mmengine.utils import import_modules_from_strings
    import_modules_from_strings(**cfg.custom_imports)
    init_default_scope(cfg.default_scope)
    from mmagic.registry import MODELS
    layer = MODELS.build(cfg.model)
    assert layer.weight.shape == (4, 1, 3, 3) and layer.backend == 'torchvision'


def test_env_report_runs_and_reports_ops():
    res = subprocess.run([sys.executable, '-m', 'glyphsr_mm.cli.collect_env'], capture_output=True, text=True)
    assert 'mmcv.ops' in res.stdout and 'deformable conv backend' in res.stdout
    assert res.returncode == 0, res.stdout + res.stderr


def test_runner_side_components_register_on_first_lookup():
    """The restorer, the recognizer-training model, the hooks and the metrics are not imported by
    ``import glyphsr_mm`` but are found by the registries' first lookup, as MMagic's own modules are."""
    code = ('import sys, glyphsr_mm\n'
            'from mmagic.registry import HOOKS, METRICS, MODELS\n'
            'assert "glyphsr_mm.models.editors.glyphsr.glyphsr" not in sys.modules\n'
            'found = [MODELS.get("GlyphSR"), MODELS.get("RecognizerTrainingModel"), HOOKS.get("FiniteLossHook"),\n'
            '         METRICS.get("TextRecognitionAccuracy"), METRICS.get("WordAccuracy")]\n'
            'print("FOUND", [c.__name__ for c in found])\n')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "FOUND ['GlyphSR', 'RecognizerTrainingModel', 'FiniteLossHook', 'TextRecognitionAccuracy', " \
        "'WordAccuracy']" in out.stdout


def test_every_config_imports_one_module():
    """Each shipped config registers what it needs with one module in ``custom_imports``: ``glyphsr_mm``, or for the
    configs that run in MMOCR's scope (its own training loop), the module that registers into MMOCR's registries
    (it imports MMOCR's datasets and models, which ``import glyphsr_mm`` must not)."""
    import glob
    import os.path as osp
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    configs = sorted(p for p in glob.glob(osp.join(root, 'configs', '**', '*.py'), recursive=True)
                     if '_base_' not in p)
    assert len(configs) > 15
    for path in configs:
        cfg = Config.fromfile(path)
        imports = cfg.get('custom_imports', {}).get('imports')
        expected = ['glyphsr_mm.models.recognizers.mmocr_training' if cfg.get('default_scope') == 'mmocr'
                    else 'glyphsr_mm']
        assert imports == expected, f'{path}: custom_imports {imports}'
