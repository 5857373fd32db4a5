// Package docs names the public pages octoha cites: the Octopus Deploy
// documentation (and Microsoft's, and the Octopus issues) behind the facts
// the emitted files, the checks and the screens rest on. An admin can open
// these; the repository's own notes (docs/octopus-facts.md, FACTS.md) are
// for contributors and are cited only in comments. Each URL is written
// here once and everything else takes it from here, so the emitted files
// and the findings cite one page the same way. The package imports
// nothing, so every layer may use it.
package docs

// Octopus Server in high availability.
const (
	HA          = "https://octopus.com/docs/administration/high-availability"
	HowHAWorks  = HA + "/how-high-availability-works"
	MaintainHA  = HA + "/maintain/maintain-high-availability-nodes"
	HATroubles  = HA + "/troubleshooting"
	PollingHA   = HA + "/polling-tentacles-with-ha"
	MultiNode   = PollingHA + "/multi-node-polling-tentacles"
	UpgradeHA   = "https://octopus.com/docs/administration/upgrading/guide/upgrading-minor-and-patch-releases"
	Automate    = "https://octopus.com/docs/administration/upgrading/guide/automate-upgrades"
	Downloads   = "https://octopus.com/downloads"
	KubeAgentHA = "https://octopus.com/docs/infrastructure/deployment-targets/kubernetes/kubernetes-agent/ha-cluster-support"
	// StickyIssue is where Octopus fixed the per-node permission cache
	// that session persistence worked around.
	StickyIssue = "https://github.com/OctopusDeploy/Issues/issues/7212"
)

// Load balancers.
const (
	LoadBalancers = "https://octopus.com/docs/installation/load-balancers"
)

// SQL Server, as Octopus asks for it. SQLDatabase is the address the node
// scripts' templates cite too (render/ps/scripts); octopus.com redirects
// it to /docs/installation/sql-database, the page's current home.
const (
	SQLDatabase    = "https://octopus.com/docs/installation/sql-server-database"
	SelfManagedSQL = "https://octopus.com/docs/installation/sql-database/self-managed-sql-server"
)

// The command lines.
const (
	serverExe       = "https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line"
	Configure       = serverExe + "/configure"
	CreateInstance  = serverExe + "/create-instance"
	DatabaseCommand = serverExe + "/database"
	NodeCommand     = serverExe + "/node"
	TentacleExe     = "https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line"
	TentacleComms   = "https://octopus.com/docs/infrastructure/deployment-targets/tentacle/tentacle-communication"
)

// Microsoft's SQL Server documentation.
const (
	SqlcmdVariables = "https://learn.microsoft.com/sql/tools/sqlcmd/sqlcmd-use-scripting-variables"
	SetHADR         = "https://learn.microsoft.com/sql/t-sql/statements/alter-database-transact-sql-set-hadr"
	Seeding         = "https://learn.microsoft.com/sql/database-engine/availability-groups/windows/automatic-seeding-secondary-replicas"
	DataMovement    = "https://learn.microsoft.com/sql/database-engine/availability-groups/windows/start-data-movement-on-an-always-on-secondary-database-sql-server"
)
