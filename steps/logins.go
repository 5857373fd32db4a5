package steps

import (
	"net"
	"strings"
)

// Kinds of SQL Server login a cluster connects as.
const (
	// LoginWindows is a domain account (user or gMSA) with a Windows login.
	LoginWindows = "windows"
	// LoginComputer is a node's computer account, DOMAIN\HOST$: the service
	// runs as Local System, which reaches a remote SQL Server as the
	// machine. Its Name lacks the domain, which the answers do not hold.
	LoginComputer = "computer"
	// LoginSQL is a SQL Server login; its password is never in the answers.
	LoginSQL = "sql"
)

// DatabaseLogin is one login the cluster's nodes connect to SQL Server as.
type DatabaseLogin struct {
	Kind string
	// Name is the login's name, or for LoginComputer the part after
	// DOMAIN\ (HOST$).
	Name string
	// Node is the node's name for LoginComputer, "" for the others, which
	// every node shares.
	Node string
}

// IsGMSA reports whether the service account is a group managed service
// account (its name ends in $).
func (a *Answers) IsGMSA() bool { return strings.HasSuffix(a.Octopus.ServiceAccount, "$") }

// DatabaseLoginKind is who every node's Octopus service connects to SQL
// Server as: LoginSQL with SQL authentication; else LoginWindows, the
// service account; else LoginComputer, each node's computer account (the
// service runs as Local System).
func (a *Answers) DatabaseLoginKind() string {
	switch {
	case a.Database.Auth == AuthSQL:
		return LoginSQL
	case a.Octopus.ServiceAccount != "":
		return LoginWindows
	}
	return LoginComputer
}

// DatabaseLogins lists the logins the nodes' Octopus services connect as
// (DatabaseLoginKind): the SQL login, the service account, or each node's
// computer account.
func (a *Answers) DatabaseLogins() []DatabaseLogin {
	switch a.DatabaseLoginKind() {
	case LoginSQL:
		return []DatabaseLogin{{Kind: LoginSQL, Name: a.Database.User}}
	case LoginWindows:
		return []DatabaseLogin{{Kind: LoginWindows, Name: a.Octopus.ServiceAccount}}
	}
	logins := make([]DatabaseLogin, len(a.Nodes))
	for i, n := range a.Nodes {
		logins[i] = DatabaseLogin{Kind: LoginComputer, Name: ComputerName(n) + "$", Node: n.Name}
	}
	return logins
}

// ComputerName is the Windows computer name of a node: the first label of
// its host name, in capitals, or the node's name when the host is an IP
// address. [INFER] A machine's NetBIOS name is the first label of its DNS
// name, which holds unless it is over 15 characters or was renamed; the
// node's script finds its own with the computer account lookup instead.
func ComputerName(n Node) string {
	host := strings.TrimSuffix(n.Host, ".")
	if host == "" || net.ParseIP(host) != nil {
		return strings.ToUpper(n.Name)
	}
	label, _, _ := strings.Cut(host, ".")
	return strings.ToUpper(label)
}

// InAvailabilityGroup reports whether the database is in an AlwaysOn
// availability group: database.multiSubnetFailover is the connection
// setting for an availability group listener, and the one answer that
// says so.
func (a *Answers) InAvailabilityGroup() bool { return a.Database.MultiSubnetFailover }
