"""Follow one thing: an Atom feed per party, demand, cell (party × demand) and proposal."""
