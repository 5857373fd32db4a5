package validate

import (
	"encoding/json"
	"strings"
	"testing"
)

// The report cites a finding's page once, on its own line under the fix,
// never inside the sentence, and only for what it details: an ok finding
// is one line with no page.
func TestWriteReportCitesThePageUnderTheFix(t *testing.T) {
	const page = "https://octopus.com/docs/installation/sql-database/self-managed-sql-server"
	fs := Findings{
		{ID: "db.collation", Severity: Error, Field: "database.name", Message: "Database \"Octopus\" is case-sensitive.", Fix: "Use a _CI_ collation.", Docs: page},
		{ID: "db.version", Severity: OK, Field: "database.server", Message: "SQL Server 2022 is supported.", Docs: page + "#ok"},
	}
	var b strings.Builder
	WriteReport(&b, fs)
	out := b.String()
	if !strings.Contains(out, "    Fix: Use a _CI_ collation.\n    See: "+page+"\n") {
		t.Errorf("the page is not under the fix:\n%s", out)
	}
	if strings.Count(out, page) != 1 {
		t.Errorf("the page is cited %d times, want once (the ok finding cites none):\n%s", strings.Count(out, page), out)
	}
	j, err := json.Marshal(fs[0])
	if err != nil || !strings.Contains(string(j), `"docs":"`+page+`"`) {
		t.Errorf("--json does not carry the page: %s %v", j, err)
	}
}
