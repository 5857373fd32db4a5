package dbprobe

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/octoha/octoha/internal/docs"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/netprobe"
)

// LiveWindow is how recently a node must have been seen to count as
// running: Octopus refreshes LastSeen about every 60 s and its auto-scaling
// script treats more than 5 minutes as offline (docs/octopus-facts.md §4.5).
const LiveWindow = 5 * time.Minute

// DefaultStaleAfter is how long a row may go unseen before check calls it
// stale and tells the admin to remove it. An hour: a node stopped for a
// reboot or a patch is back well within it, and it is when the other nodes
// give up on a missing node's tasks and cancel them (docs/octopus-facts.md §2.4), so by
// then the cluster itself treats the node as gone.
const DefaultStaleAfter = time.Hour

// Node is one row of dbo.OctopusServerNode. The columns come from an old
// schema (docs/octopus-facts.md §4.5), so all but ID and Name are optional; Has* says
// which the table had.
type Node struct {
	ID, Name string
	// LastSeen is when the node last checked in; SinceSeen is its age by
	// the SQL Server's clock.
	LastSeen    time.Time
	SinceSeen   time.Duration
	HasLastSeen bool
	// TaskCap is MaxConcurrentTasks.
	TaskCap    int
	HasTaskCap bool
	// Draining is IsInMaintenanceMode, which the REST API sets to drain a
	// node (docs/octopus-facts.md §4.5).
	Draining    bool
	HasDraining bool
	// Stale is a row not seen for longer than Options.StaleAfter: a node
	// that is gone (or renamed) and still counts against the licence.
	Stale bool
}

// Live reports whether the node checked in within LiveWindow; false when
// the table has no LastSeen.
func (n Node) Live() bool { return n.HasLastSeen && n.SinceSeen < LiveWindow }

// ErrNoNodeTable means the database has no dbo.OctopusServerNode: Octopus
// has not set it up (yet).
var ErrNoNodeTable = errors.New("the database has no dbo.OctopusServerNode table")

// Nodes lists the Octopus server nodes recorded in the answers' database,
// for the "add a node" flow. It connects as Probe does, under
// opts.Timeout.
func Nodes(ctx context.Context, a steps.Answers, password string, opts Options) ([]Node, error) {
	opts = opts.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	t, err := a.SQLServer()
	if err != nil {
		return nil, err
	}
	s, err := open(ctx, a, t, password, a.Database.Name, opts)
	if err != nil {
		f := connectFinding(err, t, a)
		return nil, fmt.Errorf("%s %s", f.Message, f.Fix)
	}
	defer s.Close()
	c := checker{ctx: ctx, s: s, a: a, t: t, opts: opts}
	return c.nodes()
}

// nodes feature-detects the table's columns, then reads the rows.
func (c *checker) nodes() ([]Node, error) {
	rows, err := c.s.conn.QueryContext(c.ctx, nodeColumnsQuery)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for rows.Next() {
		var col string
		if err := rows.Scan(&col); err != nil {
			rows.Close()
			return nil, err
		}
		for _, known := range nodeColumnExpr {
			if strings.EqualFold(col, known.column) {
				have[known.column] = true
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(have) == 0 {
		return nil, ErrNoNodeTable
	}
	if !have["Id"] || !have["Name"] {
		return nil, errors.New("dbo.OctopusServerNode has no Id or Name column, so it is not a table octoha knows")
	}

	rows, err = c.s.conn.QueryContext(c.ctx, nodesQuery(have))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var nodes []Node
	for rows.Next() {
		var n Node
		var lastSeen sql.NullTime
		var since, taskCap sql.NullInt64
		var draining sql.NullBool
		dest := []any{&n.ID, &n.Name}
		if have["LastSeen"] {
			dest = append(dest, &lastSeen, &since)
		}
		if have["MaxConcurrentTasks"] {
			dest = append(dest, &taskCap)
		}
		if have["IsInMaintenanceMode"] {
			dest = append(dest, &draining)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		n.LastSeen, n.HasLastSeen = lastSeen.Time, lastSeen.Valid && since.Valid
		n.SinceSeen = time.Duration(since.Int64) * time.Second
		n.TaskCap, n.HasTaskCap = int(taskCap.Int64), taskCap.Valid
		n.Draining, n.HasDraining = draining.Bool, draining.Valid
		n.Stale = n.HasLastSeen && n.SinceSeen > c.opts.StaleAfter
		nodes = append(nodes, n)
	}
	return nodes, rows.Err()
}

// nodeFindings lists the nodes already in the database, judges each
// answers node's row (a name clash, this cluster's own node, an old row),
// reports the rows that are stale or that no answer names, and compares
// the count with the licence's node limit.
func nodeFindings(nodes []Node, a steps.Answers, opts Options) validate.Findings {
	if len(nodes) == 0 {
		return validate.Findings{okf("db.nodes", steps.FieldDatabaseName, "Database %q has no Octopus server nodes yet.", a.Database.Name)}
	}
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		parts[i] = describeNode(n)
	}
	fs := validate.Findings{okf("db.nodes", steps.FieldDatabaseName, "Database %q already has %d Octopus server node(s): %s.",
		a.Database.Name, len(nodes), strings.Join(parts, "; "))}
	for i, want := range a.Nodes {
		for _, n := range nodes {
			if strings.EqualFold(n.Name, want.Name) {
				fs = append(fs, nameFinding(n, want.Name, steps.NodeField(i).Name, opts))
			}
		}
	}
	fs = append(fs, rowFindings(nodes, a)...)
	return append(fs, limitFinding(nodes, a, opts))
}

// nameFinding judges the row that has answers node name's name.
func nameFinding(n Node, name, field string, opts Options) validate.Finding {
	mine := installed(opts.InstalledNodes, name)
	switch {
	case mine && n.Live():
		return okf("db.node-name", field, "Node %s is running in this cluster (last seen %s ago).", name, roundAge(n.SinceSeen))
	case mine && n.Stale:
		return warnf("db.node-stale", field,
			"Start the node's OctopusDeploy service. If the machine is gone, remove it from the cluster with `octoha remove-node`, then delete its row: "+removeHow(n, "")+".",
			"Node %s is in the answers but has not checked in for %s: its service is stopped or the machine is gone, and its row still counts against the licence's node limit.", name, roundAge(n.SinceSeen)).WithDocs(docs.HATroubles)
	case mine && n.HasLastSeen:
		return warnf("db.node-name", field, "Start the node's OctopusDeploy service, or wait for the restart to finish and check again.",
			"Node %s is in the answers but has not checked in for %s: it is stopped or restarting (a running node checks in about every minute).", name, roundAge(n.SinceSeen))
	case mine:
		return okf("db.node-name", field, "Node %s has its row in the nodes table.", name)
	case !n.HasLastSeen:
		return warnf("db.node-name", field,
			"Make sure no running node uses this name before installing, or choose another name.",
			"Node name %s is already in the nodes table; octoha cannot tell whether that node is running (the table has no LastSeen).", name)
	case n.Live():
		return errorf("db.node-name", field,
			"Choose another name for this node. If it is the same machine being reinstalled, stop its Octopus service first and check again.",
			"Node name %s is in use by a running node (last seen %s ago); two machines with one node name share one row and fight over it.",
			name, roundAge(n.SinceSeen))
	}
	return okf("db.node-name", field, "Node name %s has an old row (last seen %s ago); the new node takes it over.", name, roundAge(n.SinceSeen))
}

// rowFindings reports the rows no answer names: stale ones are to be
// removed; others are nodes the answers do not know.
func rowFindings(nodes []Node, a steps.Answers) validate.Findings {
	var fs validate.Findings
	for _, n := range nodes {
		if answersName(a, n.Name) {
			continue
		}
		name := netprobe.Shown(n.Name)
		switch {
		case n.Stale:
			fs = append(fs, warnf("db.node-stale", steps.FieldDatabaseName,
				"If that machine still runs Octopus, stop its service first (a running node that is deleted adds itself back on its next check-in); then delete the row: "+removeHow(n, a.LoadBalancer.PublicURL)+".",
				"Node row %s (Id %s) has not checked in for %s and no answer names it: a node that is gone or was renamed, whose row still counts against the licence's node limit.",
				name, netprobe.Shown(n.ID), roundAge(n.SinceSeen)).WithDocs(docs.MaintainHA))
		case n.Live():
			fs = append(fs, warnf("db.node-unknown", steps.FieldDatabaseName,
				"Add the node to the answers (`octoha add-node`) if it belongs to the cluster; if it does not, stop its OctopusDeploy service, then delete its row: "+removeHow(n, a.LoadBalancer.PublicURL)+".",
				"Node %s is running against this database (last seen %s ago) but no answer names it.", name, roundAge(n.SinceSeen)))
		default:
			fs = append(fs, warnf("db.node-unknown", steps.FieldDatabaseName,
				"Find out whether that machine is a node of this cluster: add it to the answers, or stop it and delete its row: "+removeHow(n, a.LoadBalancer.PublicURL)+".",
				"Node row %s is not in the answers%s.", name, seenNote(n)))
		}
	}
	return fs
}

func seenNote(n Node) string {
	if !n.HasLastSeen {
		return " (the table has no LastSeen, so octoha cannot tell whether it runs)"
	}
	return fmt.Sprintf(" and has not checked in for %s", roundAge(n.SinceSeen))
}

// removeHow says how to delete a node's row: the web portal's
// Configuration ➜ Nodes page, or the REST API (docs/octopus-facts.md §2.4, §4.5).
// Octopus does not support writing to its database directly.
func removeHow(n Node, publicURL string) string {
	base := strings.TrimRight(publicURL, "/")
	if base == "" {
		base = "https://<octopus>"
	}
	return fmt.Sprintf("in the Octopus web portal, Configuration ➜ Nodes, delete %s; or call DELETE %s/api/octopusservernodes/%s with an API key in the X-Octopus-ApiKey header",
		netprobe.Shown(n.Name), netprobe.Shown(base), url.PathEscape(n.ID))
}

func answersName(a steps.Answers, name string) bool {
	for _, n := range a.Nodes {
		if strings.EqualFold(n.Name, name) {
			return true
		}
	}
	return false
}

// licenceSource says where the node limit comes from: the licence XML's
// <NodeLimit> (docs/octopus-facts.md §7), which the API's GET
// /api/licenses/licenses-current returns as LicenseText. Where the
// database keeps the licence is not documented, so the probe does not read
// it [INFER].
const licenceSource = "the <NodeLimit> element of the licence XML (no element means one node; Unlimited means no limit), shown by GET /api/licenses/licenses-current as LicenseText"

// limitFinding compares the nodes the cluster will count (every row, and
// each answers node that has none yet) with the licence's node limit.
// Octopus blocks creating and deploying releases once active nodes exceed
// it, and stale rows count until deleted (docs/octopus-facts.md §7).
func limitFinding(nodes []Node, a steps.Answers, opts Options) validate.Finding {
	total := len(nodes)
	for _, want := range a.Nodes {
		if !slices.ContainsFunc(nodes, func(n Node) bool { return strings.EqualFold(n.Name, want.Name) }) {
			total++
		}
	}
	counted := fmt.Sprintf("%d node row(s), with the answers' nodes not yet in the table", total)
	limit := opts.NodeLimit
	switch {
	case limit <= 0:
		return okf("db.node-limit", steps.FieldDatabaseName,
			"The cluster counts %s; octoha does not know the licence's node limit. Give it with --node-limit: it is %s.", counted, licenceSource)
	case total > limit:
		return errorf("db.node-limit", steps.FieldDatabaseName,
			"Delete the stale node rows reported above, or remove nodes from the answers; a licence with a higher node limit is the other way out.",
			"The cluster counts %s, more than the licence's node limit of %d: Octopus then blocks creating and deploying releases.", counted, limit).WithDocs(docs.HATroubles)
	case total == limit:
		return warnf("db.node-limit", steps.FieldDatabaseName,
			"Delete stale node rows before adding a node, and set a node's name only with create-instance --serverNodeName, so no second row appears.",
			"The cluster counts %s, exactly the licence's node limit of %d: one more row (a new node, or a node renamed) exceeds it.", counted, limit).WithDocs(docs.HATroubles)
	}
	return okf("db.node-limit", steps.FieldDatabaseName, "The cluster counts %s, within the licence's node limit of %d.", counted, limit)
}

func describeNode(n Node) string {
	var b strings.Builder
	b.WriteString(netprobe.Shown(n.Name))
	var notes []string
	if n.HasLastSeen {
		notes = append(notes, "last seen "+roundAge(n.SinceSeen)+" ago")
	}
	if n.HasTaskCap {
		notes = append(notes, fmt.Sprintf("task cap %d", n.TaskCap))
	}
	if n.HasDraining && n.Draining {
		notes = append(notes, "draining")
	}
	if n.Stale {
		notes = append(notes, "stale")
	}
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, ", ") + ")")
	}
	return b.String()
}

func roundAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < 48*time.Hour:
		return d.Round(time.Minute).String()
	}
	return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
}

func installed(names []string, name string) bool {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}
