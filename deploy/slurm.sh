#!/usr/bin/env bash
# One casebrief case per Slurm array task, into a shared OUT; the index is
# built once at the end by a dependent job. See deploy/README.md.
#
#   ls -d /cases/* > cases.txt
#   N=$(wc -l < cases.txt)
#   jid=$(sbatch --parsable --array=1-"$N"%50 deploy/slurm.sh cases.txt /shared/out)
#   sbatch --dependency=afterany:"$jid" --wrap \
#       "casebrief batch --merge /shared/out -o /shared/out"
#
#SBATCH --job-name=casebrief
#SBATCH --array=1-1
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=01:00:00
#SBATCH --output=casebrief-%A_%a.log
set -euo pipefail
list=${1:?usage: sbatch --array=1-N slurm.sh CASES.txt OUT}
out=${2:?usage: sbatch --array=1-N slurm.sh CASES.txt OUT}
case=$(sed -n "${SLURM_ARRAY_TASK_ID:?not an array task}p" "$list")
[ -n "$case" ] || { echo "no case on line $SLURM_ARRAY_TASK_ID" >&2; exit 2; }
# Exit 1 (findings) and 3 (the case failed, recorded in OUT/<case>/case.json)
# are results, not job failures.
rc=0
casebrief batch --no-index -j 1 --case-timeout 3000 --case-memory 7G \
    -o "$out" "$case" || rc=$?
[ "$rc" -le 1 ] || [ "$rc" -eq 3 ]
