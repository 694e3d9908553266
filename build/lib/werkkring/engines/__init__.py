"""Pure algorithms: grouping, synthesis, connections and the text tools they share.

Nothing in this package reads files, talks to a database or knows about the web; every function takes plain
data and returns plain data, so it can be tested, benchmarked and shipped to Ray workers unchanged.
"""
