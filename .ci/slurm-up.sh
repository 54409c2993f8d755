#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine for the slurm executor's tests (run as root):
# munged as user munge, slurmctld, and slurmd as node "localhost" (the host name is not localhost),
# with every state, spool, log and pid file under one folder. Prints `export SLURM_CONF=...`;
# .ci/slurm-down.sh FOLDER stops the daemons by their PIDs.
#   usage: eval "$(.ci/slurm-up.sh [FOLDER])"
set -euo pipefail
dir=${1:-$(mktemp -d /tmp/ser-slurm-XXXXXX)}
mkdir -p "$dir"/{state,spool,log}
# mktemp makes the folder 0700: munged (user munge) must reach its pid folder inside it.
chmod 0755 "$dir"
conf="$dir/slurm.conf"
cpus=2
mem=$(awk '/MemTotal/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)

# munge: a key (mungekey -c), /run/munge owned by munge, munged as munge.
if [ ! -s /etc/munge/munge.key ]; then mungekey -c; fi
chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
mkdir -p /run/munge /var/lib/munge /var/log/munge && chown munge:munge /run/munge /var/lib/munge /var/log/munge
chmod 0755 /run/munge
if ! munge -n >/dev/null 2>&1; then
  # munged writes its pid file as user munge: into a folder munge owns.
  mkdir -p "$dir/munge" && chown munge:munge "$dir/munge"
  runuser -u munge -- /usr/sbin/munged --pid-file="$dir/munge/munged.pid" >&2
fi
for _ in $(seq 1 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
munge -n | unmunge >/dev/null

cat > "$conf" <<CONF
ClusterName=serwb
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerParameters=sched_interval=1
MinJobAge=300
# Without a default, a task that asks for no memory gets the whole node's, and tasks run one at a time.
DefMemPerCPU=$(( mem / cpus ))
NodeName=localhost CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF

export SLURM_CONF="$conf"
/usr/sbin/slurmctld -f "$conf" >&2
/usr/sbin/slurmd -f "$conf" -N localhost >&2
for _ in $(seq 1 60); do
  state=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
  case "$state" in idle*|mixed*|allocated*) break ;; esac
  sleep 0.5
done
state=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
case "$state" in
  idle*|mixed*|allocated*) echo "one-node Slurm up in $dir (node localhost: $state)" >&2 ;;
  *) echo "Slurm did not come up (node state '$state'); logs in $dir/log" >&2; tail -n 20 "$dir"/log/*.log >&2; exit 1 ;;
esac
echo "export SLURM_CONF=$conf SER_SLURM_DIR=$dir"
