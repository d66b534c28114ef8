# RemoteFw.cmake - rproc-bundle's post-link step for CMake (3.20 or later),
# with the Unix Makefiles and Ninja generators (and the others that run custom
# commands).
#
#     execute_process(COMMAND bundle kit OUTPUT_VARIABLE kit
#                     OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
#     include(${kit}/RemoteFw.cmake)
#
#     add_executable(host host.c)
#     remote_fw_add_kit(host)                        # the kit's C units, -I and -L <kit>
#     remote_fw_bundle(TARGET host REMOTES remote.elf
#                      OUTPUT combined.elf HEX combined.hex VERIFY)
#
# remote_fw_bundle(TARGET <host target>
#                  REMOTES <file or target>...
#                  OUTPUT <file>
#                  [HEX <file>]                  flash file, same `bundle` run
#                  [NAMES <stem>...]             one per remote (--name)
#                  [VERIFY]                      then `bundle verify OUT --remote ...`
#                  [BUNDLE_ARGS <arg>...]        more `bundle` options (--align 16, ...)
#                  [BUNDLE_TARGET <name>]        the custom target (default <host>_bundle)
#                  [NOT_IN_ALL])                 do not build it with `all`
#
#   OUTPUT and HEX: relative paths are in CMAKE_CURRENT_BINARY_DIR.
#   REMOTES: a target of this project (its $<TARGET_FILE>), or a file: an
#   absolute path, or one relative to CMAKE_CURRENT_SOURCE_DIR if it exists
#   there, else relative to CMAKE_CURRENT_BINARY_DIR (the output of another
#   custom command or of an ExternalProject that builds the remote with its
#   own toolchain: make that step's output the file named here).
#   Sets <BUNDLE_TARGET>: a custom target that builds OUTPUT (and HEX).
#
# Why a custom command and not a POST_BUILD step on the host: POST_BUILD runs
# only when the host is relinked, and a new remote does not relink the host,
# so a changed remote would never be bundled again; a POST_BUILD step cannot
# declare the remotes as inputs at all. add_custom_command(OUTPUT ...) is a
# real build edge: its inputs are the host's linked file (through DEPENDS on
# the target) and each remote, its outputs OUTPUT and HEX; Make and Ninja then
# run `bundle` exactly when one of them is newer than the outputs. Touching a
# remote re-bundles and relinks nothing; touching nothing runs nothing (the
# custom target only has DEPENDS, no COMMAND of its own, so it is never
# "always out of date"). If VERIFY fails, the command removes OUTPUT and HEX,
# so the next build tries again with both generators.
#
# Where `bundle` comes from: the cache variable REMOTE_FW_BUNDLE, a command
# as a CMake list (e.g. -DREMOTE_FW_BUNDLE="python3;-m;bundler"); by default
# find_program(bundle). At configure time the module runs `bundle kit` and sets
#   REMOTE_FW_KIT_DIR   the directory with remote_fw.h, the C units, remote_fw.ld
# (a cache entry: -DREMOTE_FW_KIT_DIR=... overrides it), and the kit's units
# (full paths; docs/kit.md "Which files" says what each entry point needs):
#   REMOTE_FW_SOURCES      remote_fw_find, _verify, _load, _check, _rsc_table,
#                          _crc32, _strerror
#   REMOTE_FW_FIT_SOURCES  what remote_fw_fit_load and _enter add to them
# -DREMOTE_FW_VERIFY=OFF skips every VERIFY step (default ON).
#
# remote_fw_add_kit(<target> [PRIVATE|PUBLIC|INTERFACE] [FIT]) adds
# REMOTE_FW_SOURCES (and, with FIT, REMOTE_FW_FIT_SOURCES) to the target, the
# kit to its include path and to its link search path (so a linker script can
# `INCLUDE remote_fw.ld`).

# (no cmake_minimum_required here: in an included file it would reset the
# policies of the project that includes it)
if(CMAKE_VERSION VERSION_LESS 3.20)
  message(FATAL_ERROR "RemoteFw.cmake needs CMake 3.20 or later (this is ${CMAKE_VERSION})")
endif()
include_guard(GLOBAL)

option(REMOTE_FW_VERIFY "run `bundle verify` for each remote_fw_bundle(... VERIFY)" ON)

if("${REMOTE_FW_BUNDLE}" STREQUAL "")
  # a tool of the build machine, also where a cross toolchain file limits
  # find_program to the target's root (CMAKE_FIND_ROOT_PATH_MODE_PROGRAM ONLY)
  find_program(REMOTE_FW_BUNDLE_PROGRAM NAMES bundle NO_CMAKE_FIND_ROOT_PATH
               DOC "rproc-bundle's command line tool")
  if(NOT REMOTE_FW_BUNDLE_PROGRAM)
    message(FATAL_ERROR
      "RemoteFw.cmake: `bundle` is not on PATH. Install rproc-bundle "
      "(pip install rproc-bundle) or pass -DREMOTE_FW_BUNDLE=<command>, "
      "e.g. -DREMOTE_FW_BUNDLE=\"python3;-m;bundler\".")
  endif()
  set(REMOTE_FW_BUNDLE "${REMOTE_FW_BUNDLE_PROGRAM}" CACHE STRING
      "the bundle command (a list: program and arguments)")
endif()

if(NOT REMOTE_FW_KIT_DIR)
  execute_process(COMMAND ${REMOTE_FW_BUNDLE} kit
                  OUTPUT_VARIABLE _remote_fw_kit
                  ERROR_VARIABLE _remote_fw_err
                  RESULT_VARIABLE _remote_fw_rc
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _remote_fw_rc EQUAL 0 OR NOT EXISTS "${_remote_fw_kit}/remote_fw.h")
    string(REPLACE ";" " " _remote_fw_cmd "${REMOTE_FW_BUNDLE}")
    message(FATAL_ERROR
      "RemoteFw.cmake: `${_remote_fw_cmd} kit` failed (exit ${_remote_fw_rc}) or printed "
      "no kit directory ('${_remote_fw_kit}'): ${_remote_fw_err}")
  endif()
  set(REMOTE_FW_KIT_DIR "${_remote_fw_kit}" CACHE PATH
      "rproc-bundle's host-side kit (remote_fw.h, the C units, remote_fw.ld), from `bundle kit`")
endif()

# the kit's C units, as linker/bundle.mk lists them
set(REMOTE_FW_SOURCES)
foreach(_remote_fw_unit remote_fw.c remote_fw_crc32.c remote_fw_elf.c remote_fw_rsc.c)
  list(APPEND REMOTE_FW_SOURCES "${REMOTE_FW_KIT_DIR}/${_remote_fw_unit}")
endforeach()
set(REMOTE_FW_FIT_SOURCES)
foreach(_remote_fw_unit remote_fw_fit.c remote_fw_fdt.c remote_fw_inflate.c remote_fw_inffast.c
                        remote_fw_sha256.c remote_fw_sha1.c remote_fw_boot.c remote_fw_fit_sig.c remote_fw_rsa.c)
  list(APPEND REMOTE_FW_FIT_SOURCES "${REMOTE_FW_KIT_DIR}/${_remote_fw_unit}")
endforeach()

set(REMOTE_FW_AUTH_SOURCES)
foreach(_remote_fw_unit remote_fw_auth.c remote_fw_ed25519.c remote_fw_sha512.c remote_fw_sha256.c)
  list(APPEND REMOTE_FW_AUTH_SOURCES "${REMOTE_FW_KIT_DIR}/${_remote_fw_unit}")
endforeach()

function(remote_fw_add_kit target)
  set(scope PRIVATE)
  set(sources ${REMOTE_FW_SOURCES})
  foreach(arg IN LISTS ARGN)
    if(arg STREQUAL "FIT")
      list(APPEND sources ${REMOTE_FW_FIT_SOURCES})
    elseif(arg STREQUAL "AUTH")
      list(APPEND sources ${REMOTE_FW_AUTH_SOURCES})
    elseif(arg MATCHES "^(PRIVATE|PUBLIC|INTERFACE)$")
      set(scope ${arg})
    else()
      message(FATAL_ERROR "remote_fw_add_kit: unknown argument '${arg}' (PRIVATE, PUBLIC, INTERFACE, FIT or AUTH)")
    endif()
  endforeach()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "remote_fw_add_kit: no target '${target}'")
  endif()
  list(REMOVE_DUPLICATES sources)
  target_sources(${target} ${scope} ${sources})
  target_include_directories(${target} ${scope} "${REMOTE_FW_KIT_DIR}")
  target_link_directories(${target} ${scope} "${REMOTE_FW_KIT_DIR}")
endfunction()

# a path as given, made absolute against `base`
function(_remote_fw_abs out path base)
  if(IS_ABSOLUTE "${path}")
    set(${out} "${path}" PARENT_SCOPE)
  else()
    get_filename_component(p "${path}" ABSOLUTE BASE_DIR "${base}")
    set(${out} "${p}" PARENT_SCOPE)
  endif()
endfunction()

function(remote_fw_bundle)
  cmake_parse_arguments(PARSE_ARGV 0 RFW "VERIFY;NOT_IN_ALL"
                        "TARGET;OUTPUT;HEX;BUNDLE_TARGET" "REMOTES;NAMES;BUNDLE_ARGS")
  if(RFW_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "remote_fw_bundle: unknown arguments: ${RFW_UNPARSED_ARGUMENTS}")
  endif()
  foreach(req TARGET OUTPUT REMOTES)
    if(NOT RFW_${req})
      message(FATAL_ERROR "remote_fw_bundle: ${req} is required")
    endif()
  endforeach()
  if(NOT TARGET ${RFW_TARGET})
    message(FATAL_ERROR "remote_fw_bundle: TARGET ${RFW_TARGET} is not a target")
  endif()
  list(LENGTH RFW_REMOTES n_remotes)
  list(LENGTH RFW_NAMES n_names)
  if(n_names GREATER 0 AND NOT n_names EQUAL n_remotes)
    message(FATAL_ERROR
      "remote_fw_bundle: ${n_names} NAMES for ${n_remotes} REMOTES: give one per remote, in order")
  endif()
  if(NOT RFW_BUNDLE_TARGET)
    set(RFW_BUNDLE_TARGET ${RFW_TARGET}_bundle)
  endif()

  _remote_fw_abs(out "${RFW_OUTPUT}" "${CMAKE_CURRENT_BINARY_DIR}")
  set(outputs "${out}")
  set(hex_args "")
  if(RFW_HEX)
    _remote_fw_abs(hex "${RFW_HEX}" "${CMAKE_CURRENT_BINARY_DIR}")
    list(APPEND outputs "${hex}")
    set(hex_args --hex "${hex}")
  endif()

  set(remote_files "")
  set(depends ${RFW_TARGET})     # a target: file-level dependency on its linked file too
  foreach(r IN LISTS RFW_REMOTES)
    if(TARGET ${r})
      list(APPEND remote_files "$<TARGET_FILE:${r}>")
      list(APPEND depends ${r})
    else()
      if(IS_ABSOLUTE "${r}")
        set(f "${r}")
      elseif(EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${r}")
        _remote_fw_abs(f "${r}" "${CMAKE_CURRENT_SOURCE_DIR}")
      else()
        _remote_fw_abs(f "${r}" "${CMAKE_CURRENT_BINARY_DIR}")
      endif()
      list(APPEND remote_files "${f}")
      list(APPEND depends "${f}")
    endif()
  endforeach()

  set(name_args "")
  foreach(n IN LISTS RFW_NAMES)
    list(APPEND name_args --name "${n}")
  endforeach()

  set(commands
      COMMAND ${REMOTE_FW_BUNDLE} "$<TARGET_FILE:${RFW_TARGET}>" ${remote_files}
              -o "${out}" ${hex_args} ${name_args} ${RFW_BUNDLE_ARGS})
  if(RFW_VERIFY AND REMOTE_FW_VERIFY)
    # `bundle verify` runs from a generated script so that a failure removes
    # OUTPUT and HEX portably (no shell `||`), and the next build tries again.
    set(verify_cmd "${REMOTE_FW_BUNDLE}" verify "${out}")
    foreach(f IN LISTS remote_files)
      list(APPEND verify_cmd --remote "${f}")
    endforeach()
    set(script_args "")
    foreach(a IN LISTS verify_cmd)
      string(APPEND script_args " [==[${a}]==]")
    endforeach()
    set(rm_args "")
    foreach(a IN LISTS outputs)
      string(APPEND rm_args " [==[${a}]==]")
    endforeach()
    list(JOIN outputs " " rm_text)
    set(script "${CMAKE_CURRENT_BINARY_DIR}/CMakeFiles/${RFW_BUNDLE_TARGET}-verify-$<CONFIG>.cmake")
    file(GENERATE OUTPUT "${script}" CONTENT
"# generated by RemoteFw.cmake for ${RFW_BUNDLE_TARGET}: verify, or remove the outputs
execute_process(COMMAND${script_args} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE${rm_args})
  message(FATAL_ERROR \"bundle verify failed (exit \${rc}); removed ${rm_text}\")
endif()
")
    list(APPEND commands COMMAND "${CMAKE_COMMAND}" -P "${script}")
  endif()

  list(JOIN RFW_REMOTES " " remotes_text)
  get_filename_component(out_name "${out}" NAME)
  add_custom_command(
    OUTPUT ${outputs}
    ${commands}
    DEPENDS ${depends}
    COMMENT "Bundling ${remotes_text} into ${RFW_TARGET}: ${out_name}"
    VERBATIM)
  if(RFW_NOT_IN_ALL)
    add_custom_target(${RFW_BUNDLE_TARGET} DEPENDS ${outputs})
  else()
    add_custom_target(${RFW_BUNDLE_TARGET} ALL DEPENDS ${outputs})
  endif()
  set_property(DIRECTORY APPEND PROPERTY ADDITIONAL_CLEAN_FILES ${outputs})
endfunction()
