package ps

import (
	"strings"

	"github.com/octoha/octoha/steps"
)

// The Octopus.Server.exe commands octoha prints for an admin to type, in
// the scripts' help and in the checklists, each built here once.

// ServerCommand is an Octopus.Server.exe command on the cluster's instance
// as an admin types it in an elevated PowerShell, the executable and the
// instance through Quote; args are written as they are. (A script's own
// messages build theirs at run time with ConvertTo-PowerShellLiteral, so
// that every value stays whole in one literal of the script.)
func ServerCommand(a steps.Answers, command string, args ...string) string {
	return strings.Join(append([]string{"&", Quote(a.ServerExe()), command, "--instance", Quote(a.Octopus.Instance)}, args...), " ")
}

// ShowMasterKeyCommand prints the cluster's master key on a running node.
func ShowMasterKeyCommand(a steps.Answers) string { return ServerCommand(a, "show-master-key") }

// ShowThumbprintCommand prints the Octopus Server's certificate
// thumbprint on a node, which a Tentacle trusts.
func ShowThumbprintCommand(a steps.Answers) string { return ServerCommand(a, "show-thumbprint") }

// DrainCommand, run on a node, drains it, waiting up to 10 minutes for
// its tasks: node --drain=true --wait (docs/octopus-facts.md §1.3, §2.4).
func DrainCommand(a steps.Answers) string {
	return ServerCommand(a, "node", "--drain=true", "--wait=600")
}

// UndrainCommand is the command, run on a node, that undrains it: node
// --drain=false (docs/octopus-facts.md §1.3, §2.4).
func UndrainCommand(a steps.Answers) string { return ServerCommand(a, "node", "--drain=false") }
