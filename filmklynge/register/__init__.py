"""Who the members are: companies and their membership periods, contact persons, fee tiers,
the CSV member import, and the cluster's own profile (seller data and invoice settings)."""
