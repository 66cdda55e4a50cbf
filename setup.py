"""Install glyphsr_mm: GlyphSR (AAAI 2025) as an MMagic plugin.

mmcv 2.0.1 with compiled ops is not on the package index for recent torch; ``tools/setup_env.sh`` builds it
from source and caches the wheel. ``pip install -e .`` alone expects that mmcv to be installed already.
"""
import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(name: str) -> list:
    """Read ``requirements/<name>.txt`` (comments and ``-r`` includes are skipped)."""
    reqs = []
    with open(osp.join(HERE, 'requirements', f'{name}.txt')) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line and not line.startswith('-'):
                reqs.append(line)
    return reqs


# The torch versions the code is kept within: 2.4 (torch.is_autocast_enabled(device_type), weights_only loading)
# to the pinned one. tools/setup_env.sh installs the pins of requirements/torch.txt; a machine that brings its own
# torch in this range (a GPU machine's CUDA build) keeps it.
TORCH_RANGE = ['torch>=2.4,<=2.14.1', 'torchvision>=0.19,<=0.29.1']


def read_version() -> str:
    ns = {}
    with open(osp.join(HERE, 'glyphsr_mm', 'version.py')) as f:
        exec(f.read(), ns)
    return ns['__version__']


setup(
    name='glyphsr_mm',
    version=read_version(),
    description='GlyphSR: glyph-aware scene text image super-resolution for MMagic',
    long_description=open(osp.join(HERE, 'README.md')).read() if osp.exists(osp.join(HERE, 'README.md')) else '',
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools')),
    python_requires='>=3.9',
    install_requires=TORCH_RANGE + read_requirements('runtime'),
    extras_require={
        'eval': read_requirements('eval'),
        'tests': read_requirements('tests'),
        'dev': read_requirements('tests') + ['ruff'],
    },
    license='Apache-2.0',
    zip_safe=False,
)
