# Capabilities: read the process's capability sets and its no_new_privs and seccomp state. All
# capability sets must be empty, so no root power (mount, raw sockets, ptrace of others...) exists.
grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/self/status
