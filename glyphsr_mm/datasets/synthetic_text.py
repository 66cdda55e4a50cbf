"""Synthetic TextZoom-style word images with exact per-character glyph masks.

Each sample is rendered at 4x the HR size (128 x 512): every character gets its own anti-aliased alpha layer
at its place in the word (PIL's advance widths, so kerning-free), all layers share one random perspective warp,
and are area-downsampled to 32 x 128. The text's alpha is the per-pixel maximum of the character alphas, and a
pixel is text when that alpha is >= 0.5, so the union of the character masks (each alpha_i >= 0.5) equals the
rendered text pixels exactly. LR images come from the HR by blur, down-sampling, noise and JPEG, with a strength
set by the difficulty split.

``scene=True`` adds what real scene-text crops show and the plain set lacks (:data:`SCENE_EFFECTS`): curved
baselines (each character shifted and turned along an arc), stronger rotation, cut-off neighbouring text lines
above or below the word, and drop shadows or outlines. Neighbours, shadows and outlines are drawn in the image but
are not text of the label, so they stay out of the character masks.
"""
import glob
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

HR_SIZE = (32, 128)  # H, W
LR_SIZE = (16, 64)
SCALE = 4  # render scale
MAX_CHARS = 16  # L: glyph map channels

# The default font set: fixed faces from pinned PyPI packages that the project's set-up installs (requirements/
# runtime.txt), so a seed gives the same images on every machine. (package, file inside the package, style).
PINNED_FONTS = (
    ('matplotlib', 'mpl-data/fonts/ttf/DejaVuSans.ttf', 'sans'),
    ('matplotlib', 'mpl-data/fonts/ttf/DejaVuSans-Bold.ttf', 'sans bold'),
    ('matplotlib', 'mpl-data/fonts/ttf/DejaVuSans-Oblique.ttf', 'sans italic'),
    ('matplotlib', 'mpl-data/fonts/ttf/DejaVuSerif.ttf', 'serif'),
    ('matplotlib', 'mpl-data/fonts/ttf/DejaVuSerif-Bold.ttf', 'serif bold'),
    ('matplotlib', 'mpl-data/fonts/ttf/DejaVuSerif-Italic.ttf', 'serif italic'),
    ('matplotlib', 'mpl-data/fonts/ttf/DejaVuSansMono.ttf', 'mono'),
    ('matplotlib', 'mpl-data/fonts/ttf/DejaVuSansMono-Bold.ttf', 'mono bold'),
    ('matplotlib', 'mpl-data/fonts/ttf/DejaVuSansMono-Oblique.ttf', 'mono italic'),
    ('matplotlib', 'mpl-data/fonts/ttf/STIXGeneral.ttf', 'serif (Times-like)'),
    ('matplotlib', 'mpl-data/fonts/ttf/STIXGeneralBol.ttf', 'serif (Times-like) bold'),
    ('matplotlib', 'mpl-data/fonts/ttf/STIXGeneralItalic.ttf', 'serif (Times-like) italic'),
    ('font_roboto', 'files/Roboto-Regular.ttf', 'sans (grotesque)'),
    ('font_roboto', 'files/Roboto-Bold.ttf', 'sans (grotesque) bold'),
    ('font_roboto', 'files/Roboto-Italic.ttf', 'sans (grotesque) italic'),
    ('font_roboto', 'files/Roboto-Light.ttf', 'sans (grotesque) light'),
    ('font_roboto', 'files/Roboto-Black.ttf', 'sans (grotesque) black'),
    ('font_lato', 'files/Lato-Regular.ttf', 'sans (humanist)'),
    ('font_lato', 'files/Lato-Bold.ttf', 'sans (humanist) bold'),
    ('font_lato', 'files/Lato-Italic.ttf', 'sans (humanist) italic'),
    ('font_source_sans_pro', 'files/SourceSansPro-Regular.ttf', 'sans (narrow humanist)'),
    ('font_source_sans_pro', 'files/SourceSansPro-Semibold.ttf', 'sans (narrow humanist) semibold'),
    ('font_source_sans_pro', 'files/SourceSansPro-It.ttf', 'sans (narrow humanist) italic'),
    ('font_amatic_sc', 'files/AmaticSC-Bold.ttf', 'condensed (hand-drawn small caps)'),
)
SYSTEM_FONT_DIRS = ('/usr/share/fonts/truetype', '/usr/share/fonts/opentype', '/usr/local/share/fonts')
_SKIP_FONTS = ('Math', 'ExtraLight', 'Symbol', 'Emoji', 'Color', 'Mono-Bold')


def pinned_fonts() -> List[str]:
    """Paths of :data:`PINNED_FONTS` (the default set); a missing package or file is an error naming it."""
    import importlib.util
    paths = []
    for package, rel, _ in PINNED_FONTS:
        spec = importlib.util.find_spec(package)  # located, not imported (matplotlib is slow to import)
        if spec is None or not spec.submodule_search_locations:
            raise FileNotFoundError(f'font package {package!r} is not installed; run tools/setup_env.sh (or pip '
                                    'install -r requirements/runtime.txt)')
        path = os.path.join(list(spec.submodule_search_locations)[0], rel)
        if not os.path.isfile(path):
            raise FileNotFoundError(f'{path}: font missing from package {package!r} (another version installed?)')
        paths.append(path)
    return paths


def system_fonts(dirs: Sequence[str] = SYSTEM_FONT_DIRS) -> List[str]:
    """Latin TrueType fonts installed on this machine (sorted). Machine-dependent: only on request."""
    fonts = []
    for d in dirs:
        fonts += glob.glob(os.path.join(d, '**', '*.ttf'), recursive=True)
    fonts = sorted(f for f in fonts if not any(s in os.path.basename(f) for s in _SKIP_FONTS))
    if not fonts:
        raise FileNotFoundError(f'no .ttf fonts found under {dirs}')
    return fonts


def resolve_fonts(spec: str = 'pinned') -> List[str]:
    """Font files for ``spec``: ``'pinned'`` (default), ``'system'``, ``'pinned+system'``, or a folder of .ttf/.otf
    files, or a comma-separated list of font files."""
    if spec in ('pinned', 'system', 'pinned+system'):
        return (pinned_fonts() if 'pinned' in spec else []) + (system_fonts() if 'system' in spec else [])
    if os.path.isdir(spec):
        fonts = sorted(glob.glob(os.path.join(spec, '*.ttf')) + glob.glob(os.path.join(spec, '*.otf')))
    else:
        fonts = [f for f in spec.split(',') if f]
    missing = [f for f in fonts if not os.path.isfile(f)]
    if not fonts or missing:
        raise FileNotFoundError(f'fonts {spec!r}: ' + (f'missing {missing}' if missing else 'no .ttf/.otf files'))
    return fonts


def word_list(n: int = 30000) -> List[str]:
    """The ``n`` most frequent English words of ``wordfreq`` that are purely alphabetic."""
    import wordfreq
    return [w for w in wordfreq.top_n_list('en', n) if w.isalpha() and w.isascii()]


def evaluator_word_list(n: int = 150000, exclude: int = 30000) -> List[str]:
    """Words for training evaluation recognizers: the purely alphabetic words among ``wordfreq``'s ``n`` most
    frequent that are *not* in :func:`word_list` (``exclude``), so an evaluator never saw an SR set's words."""
    seen = set(word_list(exclude))
    return [w for w in word_list(n) if w not in seen]


# Image effects on evaluator training images (probability, strength): Synth90k's blur and noise, and the
# resolution loss recognizers meet in bicubic up-sampled crops.
HR_EFFECTS = dict(
    blur=(0.4, (0.3, 1.2)),  # Gaussian blur sigma (HR pixels)
    resample=(0.3, (0.3, 0.7)),  # down-sample by this factor (area), back up bicubic
    noise=(0.5, (1.0, 8.0)),  # Gaussian noise sigma
    jpeg=(0.3, (30, 90)),  # JPEG quality
)


def hr_effects(hr: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Apply :data:`HR_EFFECTS` to an HR image (32 x 128 x 3 uint8), each with its probability."""
    p = HR_EFFECTS
    img = hr.astype(np.float32)
    if rng.random() < p['blur'][0]:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(*p['blur'][1]))
    if rng.random() < p['resample'][0]:
        f = rng.uniform(*p['resample'][1])
        small = cv2.resize(img, (max(1, round(HR_SIZE[1] * f)), max(1, round(HR_SIZE[0] * f))),
                           interpolation=cv2.INTER_AREA)
        img = cv2.resize(small, HR_SIZE[::-1], interpolation=cv2.INTER_CUBIC)
    if rng.random() < p['noise'][0]:
        img = img + rng.normal(0, rng.uniform(*p['noise'][1]), img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    if rng.random() < p['jpeg'][0]:
        q = int(rng.integers(p['jpeg'][1][0], p['jpeg'][1][1] + 1))
        _, buf = cv2.imencode('.jpg', cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, q])
        img = cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return img


# Degradation strength per split: (gaussian blur sigma at HR scale, noise sigma, JPEG quality) ranges.
# 'clean' is no test split: training pairs may draw it (``--clean-fraction``) so that the network also sees what a
# sharp photograph down-scaled with an anti-aliasing filter looks like, which the three splits never show.
DIFFICULTY = {
    'easy': dict(blur=(1.0, 1.5), noise=(3.0, 6.0), jpeg=(40, 70)),
    'medium': dict(blur=(1.3, 1.8), noise=(5.0, 9.0), jpeg=(30, 55)),
    'hard': dict(blur=(1.55, 2.05), noise=(6.0, 9.0), jpeg=(25, 45)),
    'clean': dict(blur=(0.4, 0.9), noise=(0.0, 2.0), jpeg=(75, 95)),
}


# Probability of each effect per sample with ``scene=True``, and its strength.
SCENE_EFFECTS = dict(
    curve=0.3,  # arc baseline; sag up to +-0.35 of the canvas height at the canvas's ends
    rotate=0.3,  # rotation up to +-8 degrees (on top of the perspective jitter)
    neighbours=0.35,  # partial text lines above and/or below, cut by the crop
    shadow=0.2,  # drop shadow 0.8-2 HR pixels away, blurred
    outline=0.15,  # a contrasting outline 1 HR pixel wide
)


@dataclass
class SyntheticSample:
    label: str
    hr: np.ndarray  # 32 x 128 x 3 uint8 RGB
    lr: np.ndarray  # 16 x 64 x 3 uint8 RGB
    char_masks: np.ndarray  # len(label) x 32 x 128 bool
    alpha: np.ndarray  # 32 x 128 float32: the text opacity the HR image was composited with
    boxes: List[Tuple[int, int, int, int]]  # per character x0, y0, x1, y1 (HR pixels, exclusive end)
    font: str


def make_label(rng: np.random.Generator, words: Sequence[str], max_len: int = MAX_CHARS) -> str:
    """A word with TextZoom-like variety: mixed case, numbers, punctuation."""
    r = rng.random()
    if r < 0.12:
        label = str(rng.integers(0, 10 ** int(rng.integers(1, 6))))
    else:
        label = words[int(rng.integers(len(words)))]
        case = rng.random()
        if case < 0.3:
            label = label.upper()
        elif case < 0.55:
            label = label.capitalize()
        if rng.random() < 0.1:
            label += str(rng.integers(0, 100))
        if rng.random() < 0.12:
            label += str(rng.choice(list('.,!?:-\'')))
        if rng.random() < 0.03:
            label = str(rng.choice(list('("#$&'))) + label
    return label[:max_len]


def _background(rng: np.random.Generator, h: int, w: int, base: np.ndarray) -> np.ndarray:
    """Smooth textured background around colour ``base`` (float32 0-255)."""
    kind = rng.integers(3)
    bg = np.ones((h, w, 3), np.float32) * base
    if kind >= 1:  # linear gradient
        g = np.linspace(-1, 1, w, dtype=np.float32)[None, :, None] * rng.uniform(-30, 30, 3).astype(np.float32)
        bg = bg + g
    if kind == 2:  # low-frequency texture
        noise = rng.standard_normal((h // 8 + 1, w // 8 + 1, 3)).astype(np.float32)
        bg = bg + cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC) * rng.uniform(5, 20)
    return bg


class SyntheticTextRenderer:
    """Renders :class:`SyntheticSample` objects; deterministic for a given ``numpy`` Generator state.

    Args:
        fonts: Font files (default: the pinned set, :func:`pinned_fonts`).
        words: Word list (default: :func:`word_list`).
        scene: Add the scene effects of :data:`SCENE_EFFECTS`. With ``False`` (default) a seed gives the same bytes
            as before they existed.
    """

    def __init__(self, fonts: Optional[Sequence[str]] = None, words: Optional[Sequence[str]] = None,
                 scene: bool = False) -> None:
        from PIL import ImageFont
        self.fonts = list(fonts or pinned_fonts())
        self.words = list(words or word_list())
        self.scene = scene
        self._font_cache: Dict[Tuple[str, int], 'ImageFont.FreeTypeFont'] = {}
        self._ImageFont = ImageFont

    def _font(self, path: str, size: int):
        key = (path, size)
        if key not in self._font_cache:
            self._font_cache[key] = self._ImageFont.truetype(path, size)
        return self._font_cache[key]

    def _scene_params(self, rng: np.random.Generator) -> Dict[str, object]:
        """Draw which scene effects a sample gets and how strong (:data:`SCENE_EFFECTS`)."""
        p = SCENE_EFFECTS
        fx: Dict[str, object] = dict(
            sag=rng.uniform(-0.35, 0.35) if rng.random() < p['curve'] else 0.0,
            angle=rng.uniform(-8, 8) if rng.random() < p['rotate'] else 0.0,
            neighbours=[], shadow=None, outline=rng.random() < p['outline'])
        if rng.random() < p['neighbours']:
            sides = (('above', 'below'), ('above', ), ('below', ))[int(rng.integers(3))]
            fx['neighbours'] = [(side, make_label(rng, self.words), rng.uniform(0.7, 0.9), rng.uniform(-0.3, 0.3))
                                for side in sides]
        if rng.random() < p['shadow']:
            fx['shadow'] = (rng.uniform(0.8, 2.0) * rng.choice([-1, 1]), rng.uniform(0.8, 2.0))
        return fx

    def render(self, rng: np.random.Generator, difficulty: str = 'easy',
               label: Optional[str] = None) -> SyntheticSample:
        from PIL import Image, ImageDraw
        label = label if label is not None else make_label(rng, self.words)
        if not 1 <= len(label) <= MAX_CHARS:
            raise ValueError(f'label must have 1..{MAX_CHARS} characters, got {label!r}')
        font_path = self.fonts[int(rng.integers(len(self.fonts)))]
        fx = self._scene_params(rng) if self.scene else {}
        H, W = HR_SIZE[0] * SCALE, HR_SIZE[1] * SCALE
        # Font size so that the word fills most of the canvas (TextZoom crops are tight); a bent or turned word
        # needs some room.
        size = int(H * rng.uniform(0.62, 0.8) * (0.85 if fx.get('sag') or fx.get('angle') else 1))
        font = self._font(font_path, size)
        total = font.getlength(label)
        max_w = W * rng.uniform(0.75, 0.95)
        if total > max_w:
            size = max(8, int(size * max_w / total))
            font = self._font(font_path, size)
            total = font.getlength(label)
        x0 = (W - total) / 2 + rng.uniform(-0.05, 0.05) * (W - total)
        asc, desc = font.getmetrics()
        y0 = (H - (asc + desc)) / 2 + rng.uniform(-0.06, 0.06) * H
        layers = np.zeros((len(label), H, W), np.uint8)
        boxes_hi, bends = [], []
        for i, ch in enumerate(label):
            im = Image.new('L', (W, H), 0)
            x = x0 + font.getlength(label[:i])
            ImageDraw.Draw(im).text((x, y0), ch, font=font, fill=255)
            layers[i] = np.asarray(im)
            bx0, by0, bx1, by1 = font.getbbox(ch)
            boxes_hi.append((x + bx0, y0 + by0, x + bx1, y0 + by1))
            if fx.get('sag'):
                bends.append(_arc_placement(fx['sag'] * H, ((x + bx0 + x + bx1) / 2, y0 + (by0 + by1) / 2), W))
        # One small perspective/rotation warp for all layers.
        jitter = rng.uniform(-0.04, 0.04, (4, 2)) * [W * 0.25, H]
        src = np.float32([[0, 0], [W, 0], [W, H], [0, H]])
        dst = (src + jitter).astype(np.float32)
        M = cv2.getPerspectiveTransform(src, dst)
        if fx.get('angle'):
            M = M @ np.vstack([cv2.getRotationMatrix2D((W / 2, H / 2), float(fx['angle']), 1.0), [0, 0, 1]])
        # Each character's own homography: its place on the arc (if bent), then the shared warp.
        char_warps = [M @ b for b in bends] if bends else [M] * len(label)
        alpha_chars = np.stack([_hr_alpha(layer, Mi) for layer, Mi in zip(layers, char_warps)])
        char_masks = alpha_chars >= 0.5
        alpha = alpha_chars.max(axis=0)
        # Colours with contrast; either polarity.
        bg_col = rng.uniform(0, 255, 3).astype(np.float32)
        fg_col = rng.uniform(0, 255, 3).astype(np.float32)
        while abs(float(fg_col.mean() - bg_col.mean())) < 70:
            fg_col = rng.uniform(0, 255, 3).astype(np.float32)
        bg = _background(rng, *HR_SIZE, bg_col)
        if self.scene:
            hr = self._scene_composite(rng, fx, bg, fg_col, alpha, font, (x0, y0, asc + desc), M)
        else:
            hr = bg * (1 - alpha[..., None]) + fg_col * alpha[..., None]
        hr = np.clip(hr + rng.normal(0, 1.0, hr.shape), 0, 255).astype(np.uint8)
        boxes = []
        for (bx0, by0, bx1, by1), m, Mi in zip(boxes_hi, char_masks, char_warps):
            corners = cv2.perspectiveTransform(np.float32([[[bx0, by0], [bx1, by0], [bx1, by1], [bx0, by1]]]), Mi)[0]
            corners = corners / SCALE
            ys, xs = np.nonzero(m)
            # The glyph's warped box, widened to contain its mask (anti-aliasing can spill a pixel).
            bx = [np.floor(corners[:, 0].min()), np.floor(corners[:, 1].min()),
                  np.ceil(corners[:, 0].max()), np.ceil(corners[:, 1].max())]
            if len(xs):
                bx = [min(bx[0], xs.min()), min(bx[1], ys.min()), max(bx[2], xs.max() + 1), max(bx[3], ys.max() + 1)]
            boxes.append(tuple(int(np.clip(v, 0, lim)) for v, lim in zip(bx, (HR_SIZE[1], HR_SIZE[0]) * 2)))
        lr = degrade(hr, rng, difficulty)
        return SyntheticSample(label=label, hr=hr, lr=lr, char_masks=char_masks, alpha=alpha, boxes=boxes,
                               font=os.path.basename(font_path))

    def _scene_composite(self, rng: np.random.Generator, fx: Dict[str, object], bg: np.ndarray, fg_col: np.ndarray,
                         alpha: np.ndarray, font, line: Tuple[float, float, float], M: np.ndarray) -> np.ndarray:
        """Background, then shadow, outline and neighbouring lines, then the word (alpha) on top."""
        from PIL import Image, ImageDraw
        H, W = HR_SIZE[0] * SCALE, HR_SIZE[1] * SCALE
        x0, y0, line_h = line
        ink = alpha
        if fx['neighbours']:
            im = Image.new('L', (W, H), 0)
            for side, text, gap, shift in fx['neighbours']:
                dy = line_h * gap * (-1 if side == 'above' else 1)
                ImageDraw.Draw(im).text((x0 + shift * W * 0.25, y0 + dy), text, font=font, fill=255)
            ctx = _hr_alpha(np.asarray(im), M)
            ink = np.maximum(alpha, ctx)
        else:
            ctx = None
        dark = float(fg_col.mean()) > 127
        hr = bg
        if fx['shadow'] is not None:
            dx, dy = fx['shadow']
            shadow = cv2.warpAffine(ink, np.float32([[1, 0, dx], [0, 1, dy]]), HR_SIZE[::-1])
            shadow = cv2.GaussianBlur(shadow, (0, 0), 0.7)[..., None]
            hr = hr * (1 - 0.8 * shadow) + bg * 0.25 * 0.8 * shadow
        if fx['outline']:
            edge = cv2.dilate(ink, np.ones((3, 3), np.uint8))[..., None]
            edge_col = rng.uniform(0, 60, 3) if dark else rng.uniform(195, 255, 3)
            hr = hr * (1 - edge) + edge_col.astype(np.float32) * edge
        if ctx is not None:
            hr = hr * (1 - ctx[..., None]) + fg_col * ctx[..., None]
        return hr * (1 - alpha[..., None]) + fg_col * alpha[..., None]


def _hr_alpha(layer: np.ndarray, warp: np.ndarray) -> np.ndarray:
    """A 4x-scale uint8 text layer, warped and area-downsampled to the HR size, as alpha in [0, 1]."""
    h, w = layer.shape
    warped = cv2.warpPerspective(layer, warp, (w, h), flags=cv2.INTER_LINEAR)
    return cv2.resize(warped, HR_SIZE[::-1], interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0


def _arc_placement(sag: float, centre: Tuple[float, float], width: int) -> np.ndarray:
    """3 x 3 transform that moves a character centred at ``centre`` onto the arc y += sag * u^2 (u: -1 at the
    canvas's left edge, 1 at its right) and turns it along the arc's tangent."""
    cx, cy = centre
    u = float(np.clip((cx - width / 2) / (width / 2), -1, 1))
    theta = np.arctan(2 * sag * u / (width / 2))
    c, s = np.cos(theta), np.sin(theta)
    # p' = R (p - centre) + centre + (0, sag u^2)
    return np.array([[c, -s, cx - c * cx + s * cy],
                     [s, c, cy - s * cx - c * cy + sag * u * u],
                     [0, 0, 1]], np.float64)


def degrade(hr: np.ndarray, rng: np.random.Generator, difficulty: str) -> np.ndarray:
    """HR (32 x 128) -> LR (16 x 64): Gaussian blur, bicubic down-sampling, Gaussian noise, JPEG."""
    if difficulty not in DIFFICULTY:
        raise ValueError(f'difficulty must be one of {sorted(DIFFICULTY)}, got {difficulty!r}')
    p = DIFFICULTY[difficulty]
    img = cv2.GaussianBlur(hr.astype(np.float32), (0, 0), rng.uniform(*p['blur']))
    img = cv2.resize(img, LR_SIZE[::-1], interpolation=cv2.INTER_CUBIC)
    img = np.clip(img + rng.normal(0, rng.uniform(*p['noise']), img.shape), 0, 255).astype(np.uint8)
    q = int(rng.integers(p['jpeg'][0], p['jpeg'][1] + 1))
    ok, buf = cv2.imencode('.jpg', cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, q])
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


__all__ = ['SyntheticTextRenderer', 'SyntheticSample', 'degrade', 'pinned_fonts', 'system_fonts', 'resolve_fonts',
           'PINNED_FONTS', 'word_list', 'evaluator_word_list', 'make_label', 'hr_effects', 'DIFFICULTY',
           'SCENE_EFFECTS', 'HR_EFFECTS']
