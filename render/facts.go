package render

import (
	"strings"

	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/steps"
)

// Facts the checklists print that follow from the answers, each worked out
// here once: who connects to SQL Server, and the Octopus.Server.exe commands
// an admin types. (The servers of the shared folders are
// steps.Answers.ShareHosts.)

// sqlLogin is who a node's Octopus service connects to SQL Server as.
type sqlLogin int

const (
	// sqlLoginUser is the SQL login database.user (SQL authentication).
	sqlLoginUser sqlLogin = iota
	// sqlLoginServiceAccount is octopus.serviceAccount, a domain account
	// or a gMSA (Windows authentication).
	sqlLoginServiceAccount
	// sqlLoginComputerAccount is each node's computer account,
	// DOMAIN\NODE$: with Windows authentication and no service account the
	// service runs as Local System, which reaches SQL Server as that account.
	sqlLoginComputerAccount
)

// connectsToSQLAs says who a node's service connects to SQL Server as.
func connectsToSQLAs(a steps.Answers) sqlLogin {
	switch {
	case a.Database.Auth == steps.AuthSQL:
		return sqlLoginUser
	case a.Octopus.ServiceAccount != "":
		return sqlLoginServiceAccount
	}
	return sqlLoginComputerAccount
}

// serverExe is Octopus.Server.exe where the answers install it, as the
// node scripts run it.
func serverExe(a steps.Answers) string {
	return steps.JoinWindowsPath(a.Octopus.InstallDir, "Octopus.Server.exe")
}

// serverCommand is an Octopus.Server.exe command on the cluster's instance
// as an admin types it in an elevated PowerShell, every value quoted.
func serverCommand(a steps.Answers, command string, args ...string) string {
	return strings.Join(append([]string{"&", ps.Quote(serverExe(a)), command, "--instance", ps.Quote(a.Octopus.Instance)}, args...), " ")
}

// showMasterKeyCommand prints the cluster's master key on a running node.
func showMasterKeyCommand(a steps.Answers) string { return serverCommand(a, "show-master-key") }

// drainCommand drains the node it runs on, waiting up to 10 minutes for
// its tasks (node --drain, --wait).
func drainCommand(a steps.Answers) string {
	return serverCommand(a, "node", "--drain=true", "--wait=600")
}
