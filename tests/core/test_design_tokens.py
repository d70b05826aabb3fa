"""The colour tokens keep WCAG AA contrast, in the normal and the elder-mode palette."""

import re

import pytest

from tests.conftest import ROOT

CSS = (ROOT / "static" / "css" / "app.css").read_text("utf-8")

# (text token, background token, minimum ratio): body text needs 4.5:1, controls 3:1.
PAIRS = [
    ("--ink", "--paper", 4.5),
    ("--ink", "--surface", 4.5),
    ("--ink-muted", "--paper", 4.5),
    ("--ink-muted", "--surface", 4.5),
    ("--link", "--paper", 4.5),
    ("--link", "--surface", 4.5),
    ("--brand-ink", "--brand", 4.5),
    ("--brand", "--paper", 4.5),
    ("--error", "--paper", 4.5),
    ("--error", "--surface", 4.5),
    ("--border", "--paper", 3.0),
]


def tokens(block_selector: str) -> dict[str, str]:
    block = re.search(re.escape(block_selector) + r"\s*\{(.*?)\}", CSS, flags=re.S).group(1)
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})", block))


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted([luminance(a), luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("mode", ["normal", "elder"])
def test_text_colours_meet_aa_contrast(mode):
    palette = tokens(":root")
    if mode == "elder":
        palette |= tokens("html.elder")

    for fg, bg, minimum in PAIRS:
        ratio = contrast(palette[fg], palette[bg])
        assert ratio >= minimum, f"{mode}: {fg} on {bg} is {ratio:.2f}:1"


def rem_tokens(block_selector: str) -> dict[str, float]:
    block = re.search(re.escape(block_selector) + r"\s*\{(.*?)\}", CSS, flags=re.S).group(1)
    return {k: float(v) for k, v in re.findall(r"(--[\w-]+):\s*([\d.]+)rem", block)}


def test_elder_mode_enlarges_every_type_step_and_touch_target():
    normal, elder = rem_tokens(":root"), rem_tokens("html.elder")

    for token in ("--step--1", "--step-0", "--step-1", "--step-2", "--step-3", "--touch"):
        assert elder[token] >= normal[token] * 1.2, token
    assert normal["--touch"] >= 2.75  # 44 px: the minimum touch target
