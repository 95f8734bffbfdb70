#!/usr/bin/env bash
# The project's commands, runnable on a fresh machine that has only the .NET SDK.
#   ./build.sh test [dotnet test arguments]   install what the tests need, run the whole suite
#   ./build.sh soak [dotnet test arguments]   the long variants (nightly-sized kills, longer soaks, more FsCheck cases)
#   ./build.sh deps                           only install what the tests need
# The default suite runs a shorter form of every soak and kill test; `soak` sets STREAMLINQ_SOAK=1,
# which each of them reads to scale itself up (see README.md, "Two commands").
set -euo pipefail
cd "$(dirname "$0")"

command=${1:-test}
[ "$#" -gt 0 ] && shift

case "$command" in
  deps)
    bash .ci/install-deps
    ;;
  test)
    bash .ci/install-deps
    exec dotnet test StreamLinq.sln -c Release "$@"
    ;;
  soak)
    bash .ci/install-deps
    export STREAMLINQ_SOAK=1
    exec dotnet test StreamLinq.sln -c Release --filter "Category=Soak" --logger "console;verbosity=detailed" "$@"
    ;;
  *)
    echo "usage: ./build.sh [test|soak|deps] [dotnet test arguments]" >&2
    exit 2
    ;;
esac
