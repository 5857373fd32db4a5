package dbprobe

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// LiveWindow is how recently a node must have been seen to count as
// running: Octopus refreshes LastSeen about every 60 s and its auto-scaling
// script treats more than 5 minutes as offline (docs/octopus-facts.md §4.5).
const LiveWindow = 5 * time.Minute

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
		nodes = append(nodes, n)
	}
	return nodes, rows.Err()
}

// nodeFindings lists the nodes already in the database and flags a node
// name in the answers that a running node already uses.
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
		field := steps.NodeField(i).Name
		for _, n := range nodes {
			if !strings.EqualFold(n.Name, want.Name) {
				continue
			}
			switch {
			case installed(opts.InstalledNodes, want.Name):
				fs = append(fs, okf("db.node-name", field, "Node %s is already running in this cluster.", want.Name))
			case !n.HasLastSeen:
				fs = append(fs, warnf("db.node-name", field,
					"Make sure no running node uses this name before installing, or choose another name.",
					"Node name %s is already in the nodes table; octoha cannot tell whether that node is running (the table has no LastSeen).", want.Name))
			case n.Live():
				fs = append(fs, errorf("db.node-name", field,
					"Choose another name for this node. If it is the same machine being reinstalled, stop its Octopus service first and check again.",
					"Node name %s is in use by a running node (last seen %s ago); two machines with one node name share one row and fight over it (docs/octopus-facts.md §2.3, §2.4).",
					want.Name, roundAge(n.SinceSeen)))
			default:
				fs = append(fs, okf("db.node-name", field, "Node name %s has an old row (last seen %s ago); the new node takes it over.", want.Name, roundAge(n.SinceSeen)))
			}
		}
	}
	return fs
}

func describeNode(n Node) string {
	var b strings.Builder
	b.WriteString(n.Name)
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
