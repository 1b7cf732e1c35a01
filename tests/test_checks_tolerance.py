"""Rounding arithmetic: the band is what printed precision explains, nothing more."""

from __future__ import annotations

from decimal import Decimal as D

from pipeline.checks.tolerance import Verdict, check_pct, check_sum, half_unit, share_range, unit_of


def test_precision_is_read_from_the_printed_digits():
    assert unit_of(D("326.72")) == D("0.01")
    assert unit_of(D("1600")) == D(1)
    assert unit_of(D("0.001")) == D("0.001")
    assert half_unit(D("6.20")) == D("0.005")
    assert half_unit(D("0")) == 0  # a bare zero is exact
    assert half_unit(D("0.00")) == D("0.005")


def test_sum_of_parts_rounding_band_grows_with_the_number_of_parts():
    parts = [D("1.01")] * 4  # 4 parts → ±0.02, plus the total's ±0.005
    assert check_sum(D("4.04"), parts).verdict == Verdict.OK
    assert check_sum(D("4.06"), parts).verdict == Verdict.ROUNDING  # 0.02 ≤ 0.025
    assert check_sum(D("4.07"), parts).verdict == Verdict.MISMATCH  # 0.03 > 0.025
    two = [D("1.00"), D("2.00")]  # ±0.015
    assert check_sum(D("3.01"), two).verdict == Verdict.ROUNDING
    assert check_sum(D("3.02"), two).verdict == Verdict.MISMATCH


def test_extra_tolerance_is_opt_in():
    two = [D("1.00"), D("2.00")]
    assert check_sum(D("3.50"), two).verdict == Verdict.MISMATCH
    assert check_sum(D("3.50"), two, extra=D("0.5")).verdict == Verdict.ROUNDING


def test_share_compared_at_its_printed_precision():
    rng = share_range(D("2106.66"), D("2940.05"))  # 71.6537…
    assert check_pct(D("71.65"), rng, D("71.6537")).verdict == Verdict.OK
    assert check_pct(D("71.66"), rng, D("71.6537")).verdict == Verdict.ROUNDING  # off by one last digit
    assert check_pct(D("71.64"), rng, D("71.6537")).verdict == Verdict.ROUNDING
    assert check_pct(D("71.67"), rng, D("71.6537")).verdict == Verdict.MISMATCH
    assert check_pct(D("71.73"), rng, D("71.6537")).verdict == Verdict.MISMATCH
    coarse = share_range(D("0.6"), D("56781.82"))  # 0.6 stands for 0.55…0.65
    assert check_pct(D("0.001"), coarse, D("0.00106")).verdict == Verdict.OK


def test_parts_printed_as_zero_do_not_widen_the_band():
    parts = [D("1.00"), D("2.00")] + [D("0.00")] * 20
    assert check_sum(D("3.01"), parts).verdict == Verdict.ROUNDING  # ±0.015 from the two non-zero parts
    assert check_sum(D("3.05"), parts).verdict == Verdict.MISMATCH
