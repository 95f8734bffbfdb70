#!/usr/bin/env bash
# The project's commands, runnable on a fresh machine that has only the .NET SDK.
#   ./build.sh test [dotnet test arguments]   install what the tests need, run the whole suite
#   ./build.sh soak [dotnet test arguments]   the long variants (nightly-sized kills, longer soaks, more FsCheck cases)
#   ./build.sh cluster-kill [dotnet test arguments]  the cluster kill test's soak form (100 kills per sink)
#   ./build.sh deps                           only install what the tests need
# The default suite runs a shorter form of every soak and kill test; `soak` sets STREAMLINQ_SOAK=1,
# which each of them reads to scale itself up (see README.md, "Two commands").
set -euo pipefail
cd "$(dirname "$0")"

command=${1:-test}
[ "$#" -gt 0 ] && shift

# A test host that crashes (or is killed), or reports no test starting or ending for the given
# time, is stopped, and the tests it was running are named in the output ("The test running when
# the crash occurred"), with a Sequence file and a mini dump under the project's TestResults/:
# a run that dies never ends without the name. (A test that allocates without end meets the test
# host's GC heap limit first and fails by itself: see Directory.Build.targets.)
blame=(--blame-crash --blame-crash-dump-type mini --blame-hang-dump-type mini)

case "$command" in
  deps)
    bash .ci/install-deps
    ;;
  test)
    bash .ci/install-deps
    # The cluster kill test's exactly-once form is one test of about 4 minutes on 2 cores: a hang
    # is a test host that starts and ends no test for 10 minutes.
    exec dotnet test StreamLinq.sln -c Release "${blame[@]}" --blame-hang-timeout 10m "$@"
    ;;
  cluster-kill)
    bash .ci/install-deps
    export STREAMLINQ_SOAK=1
    exec dotnet test tests/StreamLinq.Cluster.Tests -c Release --filter "Category=ClusterKill" --logger "console;verbosity=detailed" "${blame[@]}" --blame-hang-timeout 30m "$@"
    ;;
  soak)
    bash .ci/install-deps
    export STREAMLINQ_SOAK=1
    # The overload memory test alone runs ten minutes in its soak form.
    exec dotnet test StreamLinq.sln -c Release --filter "Category=Soak" --logger "console;verbosity=detailed" "${blame[@]}" --blame-hang-timeout 30m "$@"
    ;;
  *)
    echo "usage: ./build.sh [test|soak|cluster-kill|deps] [dotnet test arguments]" >&2
    exit 2
    ;;
esac
