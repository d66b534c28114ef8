"""remote_fw_load_authenticated's units (REMOTE_FW_SOURCES + REMOTE_FW_AUTH_SOURCES)
are freestanding like the rest of the kit on every toolchain of
test_crypto_freestanding: each compiles with -Werror -pedantic -ffreestanding
at -O2 and -Os with the target's strict-alignment flag, and together they
need nothing they do not define but what the linker provides (the descriptor
section's weak __start_/__stop_remote_fw_desc, a PIC build's GOT)."""

from __future__ import annotations

import pytest

from tests.kit.kit_native import SOURCES
from tests.kit.test_crypto_freestanding import TARGETS, compile_units
from tests.support.paths import AUTH_SOURCES

pytestmark = pytest.mark.toolchain

# the descriptor section's bounds; the GOT of a PIC build (native gcc defaults to PIE)
LINKER_SYMBOLS = {"__start_remote_fw_desc", "__stop_remote_fw_desc", "_GLOBAL_OFFSET_TABLE_"}


@pytest.mark.parametrize("opt", ["-O2", "-Os"])
@pytest.mark.parametrize("target", list(TARGETS))
def test_auth_units_need_nothing_from_outside(need, target, opt, tmp_path):
    cc, flags = TARGETS[target]
    need(cc, "nm")
    undefined, defined = compile_units(cc, flags, opt, [*SOURCES, *AUTH_SOURCES], tmp_path)
    assert "remote_fw_load_authenticated" in defined
    assert undefined - LINKER_SYMBOLS <= defined, f"needed from outside: {sorted(undefined - defined)}"
