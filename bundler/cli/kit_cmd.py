"""Print the directory that holds the host-side C kit (remote_fw.h, the C units
remote_fw*.c, remote_fw.ld, bundle.mk, RemoteFw.cmake).

A Makefile can say  CFLAGS += -I$(shell bundle kit)  and  LDFLAGS += -L$(shell bundle kit).
"""

from __future__ import annotations

from bundler import api


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    print(api.kit_dir())
    return 0
