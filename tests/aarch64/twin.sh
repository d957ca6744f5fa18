#!/usr/bin/env bash
# twin.sh TWIN PROG [ARGS...]: the reference run for a program qemu-user cannot
# run (compare.sh --oracle "twin.sh TWIN"): TWIN, the same source built for the
# host, runs natively with PROG's arguments. Only for programs whose output does
# not depend on the architecture.
twin=$1
shift 2
exec "$twin" "$@"
