"""What people and machines read: flags as `file:line:col` lines and versioned JSON (`report`),
what `fix` shows: the edit report, explanations, diff and gold scores (`fixes`), and the HTML
review page for both (`html`, with its `report.css` and `report.js`)."""
