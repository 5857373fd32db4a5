package netprobe

import (
	"context"
	"fmt"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// SMB checks that the file server behind a storage path accepts
// connections on port 445 from this machine. A drive letter is skipped with
// a warning, since octoha cannot tell a local disk from a drive mapped for
// one user (docs/octopus-facts.md §3.3).
func SMB(ctx context.Context, env Env, field, path string) validate.Findings {
	switch steps.ClassifyWindowsPath(path) {
	case steps.PathDrive:
		where := steps.DriveOf(path)
		return validate.Findings{{ID: "smb.reach", Severity: validate.Warning, Field: field,
			Message: fmt.Sprintf("%s is on drive %s, which octoha cannot check: a mapped drive exists only for the user who mapped it, and a local disk is not shared at all.", path, where),
			Fix:     `Prefer the UNC path (\\server\share\...). If it must be a drive, map it persistently for the Octopus service account, or make the folder a symlink to the share, on every node.`}}
	case steps.PathUNC:
	default:
		// Not a share: nothing to reach (and the pure checks say why).
		return nil
	}
	where := steps.UNCHost(path)
	return TCP(ctx, env, Port{ID: "smb.reach", Field: field, Host: where, Port: steps.SMBPort,
		Role: "File server " + where + " (SMB)",
		Fix:  "Every node reaches the share over SMB on TCP 445: check the file server is up, shares the folder, and that firewalls between the nodes and it allow 445."})
}
