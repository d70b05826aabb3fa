# The models of this app arrive with its own issue.
