# bundle.mk - rproc-bundle's post-link step for GNU Make (3.82 or later).
#
# Include it, then add one line per bundled image:
#
#     KIT ?= $(shell bundle kit)
#     include $(KIT)/bundle.mk
#     $(eval $(call remote_fw_bundle,build/combined.elf,build/host.elf,build/remote.elf,build/combined.hex))
#
# That line is a rule: build/combined.elf (and build/combined.hex) are remade
# from build/host.elf and build/remote.elf with
#
#     $(BUNDLE) build/host.elf build/remote.elf -o build/combined.elf --hex build/combined.hex
#     $(BUNDLE) verify build/combined.elf --remote build/remote.elf      (REMOTE_FW_VERIFY=1)
#
# whenever the host or a remote is newer, and never otherwise: touching a remote
# re-bundles and relinks nothing; touching nothing runs nothing. The host's own
# rule is untouched (bundling never changes host.elf). `$(call ...)` alone on a
# line works too (the macro evaluates its own rule and expands to nothing).
#
# Arguments (only the first three are required; no spaces in file names):
#   1  OUT      the bundled ELF to write
#   2  HOST     the linked host ELF (give its rule as usual)
#   3  REMOTES  one or more remote ELF images, space-separated
#   4  HEX      optional flash file written in the same run; the format comes
#               from the extension: .hex (Intel HEX) or .srec (S-records). Raw
#               binary and UF2 need `bundle hex` options (--gap-fill, --family):
#               give them their own rule, `$(BUNDLE) hex OUT -o FILE.bin --gap-fill 0xFF`
#   5  NAMES    optional symbol stems, one per remote, in order (`--name`);
#               default: the remote's base name, objcopy-mangled (remote_elf)
#   6  FLAGS    optional extra `bundle` options for this image (--address ...,
#               --align ..., --region ...)
#
# Variables (set them before or after the include, or on the command line):
#   BUNDLE               the command (default: bundle). A command with
#                        arguments works: BUNDLE="python3 -m bundler"
#   REMOTE_FW_VERIFY     1 (default): run `bundle verify OUT --remote R...`
#                        after bundling; if it fails, OUT and HEX are removed
#                        so that the next make tries again. 0: skip it.
#   REMOTE_FW_FLAGS      extra options for every `bundle` run
#   REMOTE_FW_VERIFY_FLAGS  extra options for every `bundle verify` run
#
# Defined by this file:
#   REMOTE_FW_OUTPUTS    every OUT and HEX declared so far (for all: and clean:)
#   remote_fw_bundle     the macro above
#   REMOTE_FW_SOURCES    the kit's C units for remote_fw_find, _verify, _load,
#                        _check, _rsc_table, _crc32, _strerror (names in the kit
#                        directory: $(addprefix $(KIT)/,$(REMOTE_FW_SOURCES)))
#   REMOTE_FW_FIT_SOURCES  the units remote_fw_fit_load and _enter add to them
#                        (a bootstrap that boots Linux from a FIT)
#   REMOTE_FW_AUTH_SOURCES the units remote_fw_load_authenticated adds (signed
#                        remotes); it shares remote_fw_sha256.c with the FIT
#                        list: with both, $(sort ...) the three lists
# docs/kit.md ("Which files") says which units each entry point needs; a host
# that only loads an image it already has needs remote_fw_elf.c and
# remote_fw_rsc.c alone.
#
# With GNU Make 4.3 and later OUT and HEX are one grouped target (`&:`), made
# by a single `bundle --hex` run. Older makes get OUT from `bundle` and HEX
# from a separate `bundle hex OUT -o HEX` rule: the same bytes.

ifndef REMOTE_FW_BUNDLE_MK
REMOTE_FW_BUNDLE_MK := 1

BUNDLE ?= bundle
REMOTE_FW_VERIFY ?= 1
REMOTE_FW_SOURCES := remote_fw.c remote_fw_crc32.c remote_fw_elf.c remote_fw_rsc.c
REMOTE_FW_FIT_SOURCES := remote_fw_fit.c remote_fw_fdt.c remote_fw_inflate.c \
        remote_fw_inffast.c remote_fw_sha256.c remote_fw_sha1.c remote_fw_boot.c remote_fw_fit_sig.c remote_fw_rsa.c
REMOTE_FW_AUTH_SOURCES := remote_fw_auth.c remote_fw_ed25519.c remote_fw_sha512.c \
        remote_fw_sha256.c
REMOTE_FW_FLAGS ?=
REMOTE_FW_VERIFY_FLAGS ?=
REMOTE_FW_OUTPUTS :=

# 'grouped-target' is in .FEATURES from GNU Make 4.3 on.
remote_fw__grouped := $(filter grouped-target,$(.FEATURES))

# $(call remote_fw__names,NAMES): --name for each stem
remote_fw__names = $(foreach n,$(1),--name $(n))

# $(call remote_fw__rule,OUT,HOST,REMOTES,HEX,NAMES,FLAGS): the rule text for $(eval)
# Everything that reads a user variable is escaped ($$) so that it is read
# when the recipe runs: BUNDLE and REMOTE_FW_VERIFY may be set after the call.
define remote_fw__rule
REMOTE_FW_OUTPUTS += $(1) $(4)
$(if $(and $(4),$(remote_fw__grouped)),$(1) $(4) &,$(1)): $(2) $(3)
	@mkdir -p $(sort $(dir $(1) $(4)))
	$$(strip $$(BUNDLE) $(2) $(3) -o $(1)$(if $(and $(4),$(remote_fw__grouped)), --hex $(4))$(if $(5), $(call remote_fw__names,$(5)))$(if $(6), $(6)) $$(REMOTE_FW_FLAGS))
	$$(if $$(filter 1 y yes on true,$$(REMOTE_FW_VERIFY)),$$(strip $$(BUNDLE) verify $(1)$(foreach r,$(3), --remote $(r)) $$(REMOTE_FW_VERIFY_FLAGS)) || { rm -f $(strip $(1) $(4)); exit 1; })
$(if $(and $(4),$(if $(remote_fw__grouped),,1)),
$(4): $(1)
	$$(BUNDLE) hex $(1) -o $(4)
)
endef

# The public macro: checks its arguments, then evaluates the rule itself.
remote_fw_bundle = $(if $(strip $(1)),,$(error remote_fw_bundle: argument 1 (OUT) is empty))$(if \
        $(strip $(2)),,$(error remote_fw_bundle: argument 2 (HOST) is empty for $(1)))$(if \
        $(strip $(3)),,$(error remote_fw_bundle: argument 3 (REMOTES) is empty for $(1)))$(if \
        $(and $(strip $(5)),$(filter-out $(words $(3)),$(words $(5)))),$(error \
        remote_fw_bundle: $(words $(5)) names for $(words $(3)) remotes in $(1): give one per remote))$(eval \
        $(call remote_fw__rule,$(strip $(1)),$(strip $(2)),$(strip $(3)),$(strip $(4)),$(strip $(5)),$(strip $(6))))

endif
