"""UF2 family ids: the public list (microsoft/uf2, utils/uf2families.json) and name lookup.

A UF2 block carries a family id when flag 0x2000 is set; bootloaders such
as the RP2040/RP2350 boot ROMs ignore blocks of another family. Names match
the list's ``short_name`` with case, ``-`` and ``_`` ignored (``esp32-s3``,
``rp2350_arm_s``); any 32-bit number is accepted as well.
"""

from __future__ import annotations

from bundler.errors import UsageError

# (short_name, id, description), as published in uf2families.json
FAMILIES: tuple[tuple[str, int, str], ...] = (
    ("ATMEGA32", 0x16573617, "Microchip (Atmel) ATmega32"),
    ("SAML21", 0x1851780A, "Microchip (Atmel) SAML21"),
    ("NRF52", 0x1B57745F, "Nordic NRF52"),
    ("ESP32", 0x1C5F21B0, "ESP32"),
    ("STM32L1", 0x1E1F432D, "ST STM32L1xx"),
    ("STM32L0", 0x202E3A91, "ST STM32L0xx"),
    ("STM32WL", 0x21460FF0, "ST STM32WLxx"),
    ("RTL8710B", 0x22E0D6FC, "Realtek AmebaZ RTL8710B"),
    ("LPC55", 0x2ABC77EC, "NXP LPC55xx"),
    ("STM32G0", 0x300F5633, "ST STM32G0xx"),
    ("GD32F350", 0x31D228C6, "GD32F350"),
    ("RTL8720D", 0x3379CFE2, "Realtek AmebaD RTL8720D"),
    ("STM32L5", 0x04240BDF, "ST STM32L5xx"),
    ("STM32G4", 0x4C71240A, "ST STM32G4xx"),
    ("MIMXRT10XX", 0x4FB2D5BD, "NXP i.MX RT10XX"),
    ("XR809", 0x51E903A8, "Xradiotech 809"),
    ("STM32F7", 0x53B80F00, "ST STM32F7xx"),
    ("SAMD51", 0x55114460, "Microchip (Atmel) SAMD51"),
    ("STM32F4", 0x57755A57, "ST STM32F4xx"),
    ("FX2", 0x5A18069B, "Cypress FX2"),
    ("STM32F2", 0x5D1A0A2E, "ST STM32F2xx"),
    ("STM32F1", 0x5EE21072, "ST STM32F103"),
    ("NRF52833", 0x621E937A, "Nordic NRF52833"),
    ("STM32F0", 0x647824B6, "ST STM32F0xx"),
    ("BK7231U", 0x675A40B0, "Beken 7231U/7231T"),
    ("SAMD21", 0x68ED2B88, "Microchip (Atmel) SAMD21"),
    ("BK7251", 0x6A82CC42, "Beken 7251/7252"),
    ("STM32F3", 0x6B846188, "ST STM32F3xx"),
    ("STM32F407", 0x6D0922FA, "ST STM32F407"),
    ("STM32H7", 0x6DB66082, "ST STM32H7xx"),
    ("STM32WB", 0x70D16653, "ST STM32WBxx"),
    ("BK7231N", 0x7B3EF230, "Beken 7231N"),
    ("ESP8266", 0x7EAB61ED, "ESP8266"),
    ("KL32L2", 0x7F83E793, "NXP KL32L2x"),
    ("STM32F407VG", 0x8FB060FE, "ST STM32F407VG"),
    ("RTL8710A", 0x9FFFD543, "Realtek Ameba1 RTL8710A"),
    ("NRF52840", 0xADA52840, "Nordic NRF52840"),
    ("ESP32S2", 0xBFDD4EEE, "ESP32-S2"),
    ("ESP32S3", 0xC47E5767, "ESP32-S3"),
    ("ESP32C3", 0xD42BA06C, "ESP32-C3"),
    ("ESP32C2", 0x2B88D29C, "ESP32-C2"),
    ("ESP32H2", 0x332726F6, "ESP32-H2"),
    ("ESP32C6", 0x540DDF62, "ESP32-C6"),
    ("ESP32P4", 0x3D308E94, "ESP32-P4"),
    ("ESP32C5", 0xF71C0343, "ESP32-C5"),
    ("ESP32C61", 0x77D850C4, "ESP32-C61"),
    ("BL602", 0xDE1270B7, "Boufallo 602"),
    ("RTL8720C", 0xE08F7564, "Realtek AmebaZ2 RTL8720C"),
    ("RP2040", 0xE48BFF56, "Raspberry Pi RP2040"),
    ("RP2XXX_ABSOLUTE", 0xE48BFF57, "Raspberry Pi Microcontrollers: Absolute (unpartitioned) download"),
    ("RP2XXX_DATA", 0xE48BFF58, "Raspberry Pi Microcontrollers: Data partition download"),
    ("RP2350_ARM_S", 0xE48BFF59, "Raspberry Pi RP2350, Secure Arm image"),
    ("RP2350_RISCV", 0xE48BFF5A, "Raspberry Pi RP2350, RISC-V image"),
    ("RP2350_ARM_NS", 0xE48BFF5B, "Raspberry Pi RP2350, Non-secure Arm image"),
    ("STM32L4", 0x00FF6919, "ST STM32L4xx"),
    ("GD32VF103", 0x9AF03E33, "GigaDevice GD32VF103"),
    ("CSK4", 0x4F6ACE52, "LISTENAI CSK300x/400x"),
    ("CSK6", 0x6E7348A8, "LISTENAI CSK60xx"),
    ("M0SENSE", 0x11DE784A, "M0SENSE BL702"),
    ("MaixPlay-U4", 0x4B684D71, "Sipeed MaixPlay-U4(BL618)"),
    ("RZA1LU", 0x9517422F, "Renesas RZ/A1LU (R7S7210xx)"),
    ("STM32F411xE", 0x2DC309C5, "ST STM32F411xE"),
    ("STM32F411xC", 0x06D1097B, "ST STM32F411xC"),
    ("NRF52832xxAA", 0x72721D4E, "Nordic NRF52832xxAA"),
    ("NRF52832xxAB", 0x6F752678, "Nordic NRF52832xxAB"),
    ("AT32F415", 0xA0C97B8E, "ArteryTek AT32F415"),
    ("CH32V", 0x699B62EC, "WCH CH32V2xx and CH32V3xx"),
    ("RA4M1", 0x7BE8976D, "Renesas RA4M1"),
)

NO_FAMILY = "none"


def _key(name: str) -> str:
    return name.upper().replace("-", "").replace("_", "")


_BY_KEY = {_key(name): fid for name, fid, _ in FAMILIES}


def find_family(name: str) -> int | None:
    """The id of a family short name (case, '-' and '_' ignored), or None."""
    return _BY_KEY.get(_key(name))


def find_family_name(family_id: int) -> str | None:
    for name, fid, _ in FAMILIES:
        if fid == family_id:
            return name
    return None


def parse_family(text: str) -> int | None:
    """``--family``: a short name, a number (0x...), or ``none`` (no family flag); else UsageError."""
    if text.strip().lower() == NO_FAMILY:
        return None
    fid = find_family(text)
    if fid is not None:
        return fid
    try:
        value = int(text, 0)
    except ValueError:
        close = [n for n, _, _ in FAMILIES if _key(text)[:4] and _key(n).startswith(_key(text)[:4])]
        raise UsageError(f"unknown UF2 family {text!r}"
                         + (f" (close: {', '.join(close[:6])})" if close else ""),
                         hint="give a name from 'bundle hex --list-families', a 32-bit number "
                              "such as 0xe48bff56, or 'none'") from None
    if not 0 < value <= 0xFFFFFFFF:
        raise UsageError(f"UF2 family {text!r} is not a non-zero 32-bit number",
                         hint="family ids are 32-bit, e.g. 0xe48bff56 for RP2040")
    return value


def describe_families() -> str:
    """The table, one family a line, for --list-families."""
    return "\n".join(f"{name:<16} 0x{fid:08x}  {desc}" for name, fid, desc in
                     sorted(FAMILIES, key=lambda f: f[0].upper()))
