package dbprobe

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/octoha/octoha/internal/docs"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// checker runs the queries of one probe on one open connection and keeps
// what later checks need.
type checker struct {
	ctx  context.Context
	s    *session
	a    steps.Answers
	t    steps.SQLServer
	opts Options

	facts serverFacts
	// factsOK is false when the server facts could not be read; checks
	// that need them are skipped.
	factsOK bool
	// dbExists is whether the Octopus database is on the server, set by
	// openDatabase or missingDatabase.
	dbExists bool
}

// serverFacts is the row of serverFactsQuery.
type serverFacts struct {
	ProductVersion    string
	Edition           string
	EngineEdition     int
	IsClustered       bool
	IsHadrEnabled     bool
	ServerName        string
	Sysadmin          bool
	CanCreateDatabase bool
}

// Engine editions (SERVERPROPERTY('EngineEdition')).
const (
	engineExpress         = 4
	engineAzureSQL        = 5
	engineManagedInstance = 8
)

// sqlServerNames maps the major version to the product name.
var sqlServerNames = map[int]string{
	9: "2005", 10: "2008", 11: "2012", 12: "2014", 13: "2016", 14: "2017", 15: "2019", 16: "2022", 17: "2025",
}

// oldestMajor is SQL Server 2016, Octopus's hard floor (docs/octopus-facts.md §4.1).
const oldestMajor = 13

// queryFailed turns a failed query into a finding under the check's ID.
func (c *checker) queryFailed(id, field, what string, err error) validate.Finding {
	if tooMuch(err) {
		return errorf(id, field, "Check that database.server names SQL Server itself, not a proxy or another service.",
			"%s while the probe read %s.", errTooMuch, what)
	}
	if isTimeout(err) {
		return errorf("db.timeout", steps.FieldDatabaseServer, "Raise the timeout, or check the server's load.",
			"SQL Server %s took too long to answer while %s.", c.t, what)
	}
	return warnf(id, field, "", "Could not check %s: %s.", what, strings.TrimSuffix(err.Error(), "."))
}

func (c *checker) server() validate.Findings {
	var f serverFacts
	var edition, name sql.NullString
	var engine, clustered, hadr, sysadmin, create sql.NullInt64
	err := c.s.conn.QueryRowContext(c.ctx, serverFactsQuery).Scan(
		&f.ProductVersion, &edition, &engine, &clustered, &hadr, &name, &sysadmin, &create)
	if err != nil {
		return validate.Findings{c.queryFailed("db.version", steps.FieldDatabaseServer, "the SQL Server version", err)}
	}
	f.Edition, f.ServerName = edition.String, name.String
	f.EngineEdition = int(engine.Int64)
	f.IsClustered = clustered.Int64 == 1
	f.IsHadrEnabled = hadr.Int64 == 1
	f.Sysadmin = sysadmin.Int64 == 1
	f.CanCreateDatabase = create.Int64 == 1
	c.facts, c.factsOK = f, true
	return validate.Findings{versionFinding(f), editionFinding(f)}
}

func versionFinding(f serverFacts) validate.Finding {
	if f.EngineEdition == engineAzureSQL || f.EngineEdition == engineManagedInstance {
		return okf("db.version", steps.FieldDatabaseServer, "Azure SQL (version %s): Octopus supports it.", f.ProductVersion)
	}
	major, err := strconv.Atoi(strings.SplitN(f.ProductVersion, ".", 2)[0])
	if err != nil {
		return warnf("db.version", steps.FieldDatabaseServer, "Check by hand that the server runs SQL Server 2016 or later.",
			"SQL Server reported a version octoha cannot read: %q.", f.ProductVersion)
	}
	product := "SQL Server " + f.ProductVersion
	if n, ok := sqlServerNames[major]; ok {
		product = fmt.Sprintf("SQL Server %s (%s)", n, f.ProductVersion)
	}
	switch {
	case major < oldestMajor:
		return errorf("db.version", steps.FieldDatabaseServer, "Upgrade SQL Server, or use one that runs SQL Server 2016 or later.",
			"%s is older than SQL Server 2016, the oldest version Octopus supports.", product).WithDocs(docs.SQLDatabase)
	case major == oldestMajor:
		return warnf("db.version", steps.FieldDatabaseServer,
			"Check Microsoft's lifecycle dates for SQL Server 2016 before building a new cluster on it; prefer a newer version.",
			"%s is Octopus's oldest supported version; Octopus also asks for at least two years of Microsoft support remaining.", product).WithDocs(docs.SQLDatabase)
	}
	return okf("db.version", steps.FieldDatabaseServer, "%s is supported.", product)
}

func editionFinding(f serverFacts) validate.Finding {
	if f.EngineEdition == engineExpress || strings.Contains(strings.ToLower(f.Edition), "express") {
		return warnf("db.edition", steps.FieldDatabaseServer,
			"Use Standard or Enterprise edition (or Azure SQL) for a cluster.",
			"%s is not recommended for production, and cannot be clustered or join an availability group, so the database would be a single point of failure.", f.Edition).WithDocs(docs.SelfManagedSQL)
	}
	return okf("db.edition", steps.FieldDatabaseServer, "Edition: %s.", f.Edition)
}
