"""The cluster's impact: members' growth against comparison firms outside the cluster, and the
register of film productions with members' share of the national total."""
