"""The one interface every text recognizer of glyphsr_mm implements.

GlyphSR uses recognizers in four places; each uses one part of this interface:

===================  ======================================  =============================================
caller               method                                  output
===================  ======================================  =============================================
text-prior generator ``probs(images)``                       B x D x 1 x T class probabilities per step
evaluation metric    ``predict(images)``                     list of B strings
text focus loss      ``teacher_forced(images, labels)``      logits B x T x D and attention B x h x T x N
glyph extraction     ``attention(images, labels)``           B x T x H' x W' (2D) or B x T x W' (1D)
===================  ======================================  =============================================

Callers always pass images as float tensors B x C x H x W in [0, 1] (C = 3, or 4 with GlyphSR's mask channel,
which is dropped); each recognizer converts them to its own input with :class:`Preprocess` (size, gray or RGB,
value range), so no caller needs to know a recognizer's conventions.

Weights: a recognizer built without a checkpoint refuses to run unless ``allow_random=True`` was passed
(training from scratch, tests); a checkpoint that does not fit fails with the file name and the missing and
unexpected keys (:func:`glyphsr_mm.utils.checkpoint.load_state_dict_strict`).
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.utils.checkpoint import load_state_dict_strict
from glyphsr_mm.utils.image import GRAY_WEIGHTS
from glyphsr_mm.utils.text import str_filt



@dataclass(frozen=True)
class Preprocess:
    """How a recognizer wants its input.

    Args:
        size: (H, W) the image is resized to (bicubic, as TextZoom's evaluation scripts do); None keeps it.
        gray: Convert to one gray channel with ITU-R 601 weights (0.299 R + 0.587 G + 0.114 B).
        mean: Subtracted after conversion (per channel or scalar).
        std: Divides after subtracting ``mean``. ``mean=0.5, std=0.5`` maps [0, 1] to [-1, 1].
        mode: Interpolation mode of ``F.interpolate``.
    """

    size: Optional[Tuple[int, int]] = None
    gray: bool = False
    mean: Union[float, Tuple[float, ...]] = 0.0
    std: Union[float, Tuple[float, ...]] = 1.0
    mode: str = 'bicubic'

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        if images.dim() != 4 or images.shape[1] not in (1, 3, 4):
            raise ValueError(f'recognizer input must be B x C x H x W with C in (1, 3, 4), got {tuple(images.shape)}')
        x = images.float()
        if x.shape[1] == 4:  # GlyphSR's mask channel is not part of the image
            x = x[:, :3]
        if self.size is not None and tuple(x.shape[-2:]) != tuple(self.size):
            x = F.interpolate(x, size=tuple(self.size), mode=self.mode,
                              align_corners=False if self.mode in ('bilinear', 'bicubic') else None)
        if self.gray and x.shape[1] == 3:
            w = x.new_tensor(GRAY_WEIGHTS).view(1, 3, 1, 1)
            x = (x * w).sum(1, keepdim=True)
        elif not self.gray and x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)
        mean = x.new_tensor(self.mean).view(1, -1, 1, 1)
        std = x.new_tensor(self.std).view(1, -1, 1, 1)
        return (x - mean) / std


class Charset:
    """Class index <-> character mapping and greedy decoding.

    Args:
        chars: The characters, in class order, starting at ``offset``.
        num_classes: D, the size of the recognizer's class axis.
        offset: Class index of ``chars[0]`` (e.g. 1 when class 0 is the CTC blank or the end token).
        ctc: CTC decoding (merge repeats, drop ``blank``) instead of stopping at ``eos``.
        blank: CTC blank class.
        eos: End-of-sequence class of attention decoders; decoding stops there.
        lower: Lower-case the decoded string (recognizers whose classes are case-insensitive).
    """

    def __init__(self, chars: str, num_classes: int, offset: int = 1, ctc: bool = False, blank: int = 0,
                 eos: Optional[int] = 0, lower: bool = False) -> None:
        if offset + len(chars) > num_classes:
            raise ValueError(f'{len(chars)} characters from class {offset} do not fit in {num_classes} classes')
        self.chars, self.num_classes, self.offset = chars, num_classes, offset
        self.ctc, self.blank, self.eos, self.lower = ctc, blank, eos, lower
        self.index = {c: i + offset for i, c in enumerate(chars)}

    def char(self, index: int) -> str:
        i = index - self.offset
        return self.chars[i] if 0 <= i < len(self.chars) else ''

    def decode(self, indices: torch.Tensor) -> List[str]:
        """Greedy-decode B x T class indices into strings."""
        out = []
        for row in indices.tolist():
            chars, prev = [], None
            for i in row:
                if self.ctc:
                    if i != prev and i != self.blank:
                        chars.append(self.char(i))
                    prev = i
                else:
                    if i == self.eos:
                        break
                    chars.append(self.char(i))
            text = ''.join(chars)
            out.append(text.lower() if self.lower else text)
        return out

    def encode(self, text: str, unknown: Optional[int] = None) -> List[int]:
        """Class indices of ``text``; characters outside the charset are dropped (or mapped to ``unknown``)."""
        out = []
        for c in text:
            if c in self.index:
                out.append(self.index[c])
            elif unknown is not None:
                out.append(unknown)
        return out


class TextRecognizer(nn.Module):
    """Base class: subclasses set ``preprocess`` and ``charset`` and implement :meth:`forward`.

    ``forward(x)`` takes the *preprocessed* input and returns logits B x T x D. The public methods below take
    images in [0, 1] and apply ``preprocess`` themselves.

    Args:
        checkpoint: Path to the weights in the recognizer's reference layout; loaded strictly.
        allow_random: Permit running without weights (training from scratch, tests). Without it, a
            recognizer that has neither a checkpoint nor trained weights refuses :meth:`probs`/:meth:`predict`.
    """

    preprocess: Preprocess
    charset: Charset
    #: Keys of reference checkpoints that carry no weights of this module and may be ignored.
    ignore_checkpoint_keys: Sequence[str] = ()

    def __init__(self, checkpoint: Optional[str] = None, allow_random: bool = False) -> None:
        super().__init__()
        self.checkpoint = checkpoint
        self.allow_random = allow_random
        self._has_weights = False

    # -- weights -------------------------------------------------------------------------------------------------
    def init_weights_from(self, checkpoint: Optional[str]) -> None:
        """Load ``checkpoint`` (call at the end of a subclass ``__init__``); None leaves the random init."""
        if checkpoint is not None:
            self.load_checkpoint(checkpoint)

    def load_checkpoint(self, source) -> None:
        """Load weights in this recognizer's reference layout (``module.`` prefixes accepted)."""
        load_state_dict_strict(self, source, what=type(self).__name__, strip_prefixes=self.checkpoint_prefixes,
                               ignore_keys=self.ignore_checkpoint_keys, select_prefix='recognizer.')
        self._has_weights = True

    #: Prefixes stripped from checkpoint keys when all keys carry them (DataParallel copies). Checkpoints of
    #: tools/train_recognizer.py hold the recognizer under ``recognizer.``; only those keys are read.
    checkpoint_prefixes: Sequence[str] = ('module.', )

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):  # noqa: D401
        # Weights loaded through a parent module (e.g. a runner checkpoint of the whole restorer) count as real
        # only when the checkpoint holds every tensor of this recognizer (a non-strict load may skip them).
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        if all(prefix + k in state_dict for k in self.state_dict()):
            self._has_weights = True

    def mark_trained(self) -> None:
        """Declare the current weights real (called by training code)."""
        self._has_weights = True

    def check_weights(self) -> None:
        if not (self._has_weights or self.allow_random):
            raise RuntimeError(
                f'{type(self).__name__} has no weights: pass checkpoint=PATH (its reference layout), train one with '
                'tools/train_recognizer.py, or set allow_random=True if random weights are really intended.')

    # -- interface -----------------------------------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Preprocessed input -> logits B x T x D."""
        raise NotImplementedError

    def logits(self, images: torch.Tensor) -> torch.Tensor:
        """Images in [0, 1] -> logits B x T x D (differentiable)."""
        self.check_weights()
        return self(self.preprocess(images))

    def probs(self, images: torch.Tensor) -> torch.Tensor:
        """Images in [0, 1] -> per-step class probabilities B x D x 1 x T (the text prior's input)."""
        return self.logits(images).softmax(-1).permute(0, 2, 1).unsqueeze(2)

    @torch.no_grad()
    def predict(self, images: torch.Tensor) -> List[str]:
        """Images in [0, 1] -> recognised strings (greedy decoding)."""
        return self.charset.decode(self.logits(images).argmax(-1))

    def ctc_loss(self, images: torch.Tensor, labels: Sequence[str]) -> torch.Tensor:
        """CTC loss of reading ``labels`` from ``images`` in [0, 1] (CTC recognizers; differentiable in both the
        images and the weights). Characters outside the charset are dropped; lower-case charsets compare with
        lower-cased labels."""
        if not self.charset.ctc:
            raise NotImplementedError(f'{type(self).__name__} is not a CTC recognizer')
        targets = [self.charset.encode(str_filt(s, 'lower') if self.charset.lower else s) for s in labels]
        log_probs = self.logits(images).log_softmax(-1).transpose(0, 1)  # T x B x D
        lengths = torch.tensor([len(t) for t in targets], dtype=torch.long)
        flat = torch.tensor([i for t in targets for i in t], dtype=torch.long)
        in_len = torch.full((len(labels), ), log_probs.shape[0], dtype=torch.long)
        return F.ctc_loss(log_probs, flat, in_len, lengths, blank=self.charset.blank, zero_infinity=True)

    def eos_terminated_labels(self, texts: Sequence[str], max_len: int,
                              device=None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Teacher-forcing tokens and targets (B x T) for decoders that read ``tokens[:, t]`` after step t (ASTER,
        MORAN): each text's classes (at most ``max_len - 1``, characters outside the charset dropped) then the end
        class, so tokens and targets are the same sequence; padding is the end class in the tokens and -100
        (ignored by cross-entropy) in the targets."""
        eos = self.charset.eos
        seqs = [self.charset.encode(s)[:max_len - 1] + [eos] for s in texts]
        t = max(len(s) for s in seqs)
        tokens = torch.full((len(seqs), t), eos, dtype=torch.long)
        targets = torch.full((len(seqs), t), -100, dtype=torch.long)
        for i, seq in enumerate(seqs):
            tokens[i, :len(seq)] = targets[i, :len(seq)] = torch.tensor(seq, dtype=torch.long)
        return tokens.to(device), targets.to(device)

    def teacher_forced(self, images: torch.Tensor, labels: Sequence[str]) -> Tuple[torch.Tensor, torch.Tensor]:
        """Logits and cross-attention maps with ``labels`` as decoder input (attention decoders only)."""
        raise NotImplementedError(f'{type(self).__name__} has no attention decoder')

    def attention(self, images: torch.Tensor, labels: Optional[Sequence[str]] = None) -> torch.Tensor:
        """Per-step attention maps over the image (architectures that have them)."""
        raise NotImplementedError(f'{type(self).__name__} exposes no attention maps')
