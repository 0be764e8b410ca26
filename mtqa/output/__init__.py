"""What people and machines read: flags as `file:line:col` lines and versioned JSON (`report`),
and what `fix` shows: the edit report, explanations, diff and gold scores (`fixes`)."""
