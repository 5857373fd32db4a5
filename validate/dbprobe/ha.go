package dbprobe

import (
	"net"
	"strings"

	"github.com/octoha/octoha/internal/docs"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// listener is an AlwaysOn availability group listener.
type listener struct {
	Group, DNSName string
	Port           int
}

// ha checks that the database server is itself highly available and that
// the answers reach it the way that survives a failover (docs/octopus-facts.md §4.3,
// §4.4).
func (c *checker) ha() validate.Findings {
	if !c.factsOK {
		return nil
	}
	f := c.facts
	switch {
	case f.IsHadrEnabled:
		return c.alwaysOn()
	case f.IsClustered:
		return validate.Findings{okf("db.ha", steps.FieldDatabaseServer, "SQL Server %s is a failover cluster instance.", f.ServerName)}
	}
	return validate.Findings{warnf("db.ha", steps.FieldDatabaseServer,
		"For production, put the database on a failover cluster instance or in an AlwaysOn availability group and connect through its listener.",
		"SQL Server %s is a single instance (neither a failover cluster nor AlwaysOn): the database is a single point of failure for the whole cluster.", f.ServerName).WithDocs(docs.SelfManagedSQL)}
}

func (c *checker) alwaysOn() validate.Findings {
	var fs validate.Findings
	name := c.a.Database.Name

	group := ""
	groups, err := c.pairs(agDatabasesQuery)
	if err != nil {
		return validate.Findings{c.queryFailed("db.ha", steps.FieldDatabaseServer, "the availability groups", err)}
	}
	for _, p := range groups {
		if strings.EqualFold(p[1], name) {
			group = p[0]
		}
	}
	switch {
	case group != "":
		fs = append(fs, okf("db.ha", steps.FieldDatabaseName, "Database %q is in availability group %s.", name, group))
	case c.dbExists:
		fs = append(fs, warnf("db.ha", steps.FieldDatabaseName, "Ask the DBA to add the database to an availability group.",
			"AlwaysOn is enabled on %s but database %q is in no availability group, so it does not fail over.", c.facts.ServerName, name))
	default:
		fs = append(fs, warnf("db.ha", steps.FieldDatabaseName, "After the first node has created the database, ask the DBA to add it to an availability group.",
			"The first node will create database %q outside any availability group.", name))
	}

	all, err := c.listeners()
	if err != nil {
		return append(fs, c.queryFailed("db.listener", steps.FieldDatabaseServer, "the availability group listeners", err))
	}
	var ls []listener
	for _, l := range all {
		if group == "" || strings.EqualFold(l.Group, group) {
			ls = append(ls, l)
		}
	}
	if len(ls) == 0 {
		return append(fs, warnf("db.listener", steps.FieldDatabaseServer,
			"Ask the DBA to create an availability group listener and connect through it with multiSubnetFailover.",
			"AlwaysOn is enabled but there is no availability group listener, so nodes cannot follow a failover.").WithDocs(docs.SelfManagedSQL))
	}
	for _, l := range ls {
		if !sameHost(c.t.Host, l.DNSName) {
			continue
		}
		if !c.a.Database.MultiSubnetFailover {
			return append(fs, warnf("db.listener", steps.FieldDatabaseMultiSubnetFailover,
				"Set database.multiSubnetFailover to true.",
				"%s is the listener of availability group %s, but multiSubnetFailover is off: after a failover to another subnet, nodes wait on the old address.", c.t.Host, l.Group).WithDocs(docs.SelfManagedSQL))
		}
		return append(fs, okf("db.listener", steps.FieldDatabaseServer, "Connecting through listener %s of availability group %s with multiSubnetFailover.", l.DNSName, l.Group))
	}
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.DNSName
	}
	return append(fs, warnf("db.listener", steps.FieldDatabaseServer,
		"Set database.server to the listener ("+strings.Join(names, " or ")+") and database.multiSubnetFailover to true.",
		"database.server %q names a replica, not the availability group listener: after a failover the nodes would lose the database.", c.a.Database.Server).WithDocs(docs.SelfManagedSQL))
}

// sameHost compares a host as the admin wrote it with a listener's DNS
// name, which SQL Server stores without the domain.
func sameHost(host, dnsName string) bool {
	if strings.EqualFold(host, dnsName) {
		return true
	}
	if net.ParseIP(host) != nil {
		return false
	}
	short, _, _ := strings.Cut(host, ".")
	listenerShort, _, _ := strings.Cut(dnsName, ".")
	return strings.EqualFold(short, listenerShort)
}

func (c *checker) listeners() ([]listener, error) {
	rows, err := c.s.conn.QueryContext(c.ctx, listenersQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ls []listener
	for rows.Next() {
		var l listener
		if err := rows.Scan(&l.Group, &l.DNSName, &l.Port); err != nil {
			return nil, err
		}
		ls = append(ls, l)
	}
	return ls, rows.Err()
}

// pairs reads a two-column text result.
func (c *checker) pairs(query string) ([][2]string, error) {
	rows, err := c.s.conn.QueryContext(c.ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var p [2]string
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
