package netprobe

import (
	"context"
	"fmt"
	"strings"

	"github.com/octoha/octoha/validate"
)

// SMBPort is the port Windows file sharing listens on (reference §5.6).
const SMBPort = 445

// PathKind is what a storage path is, as far as reaching it goes.
type PathKind int

const (
	// PathOther is empty or relative: nothing to reach.
	PathOther PathKind = iota
	// PathUNC is \\host\share\...: a file server to reach.
	PathUNC
	// PathDrive is X:\...: a local disk or a mapped drive.
	PathDrive
)

// ParseStoragePath says what kind of path p is, and returns the file
// server's host for a UNC path or the drive ("X:") for a drive path. It
// reads \\host\share, //host/share, \\?\UNC\host\share and \\?\X:\ forms.
func ParseStoragePath(p string) (PathKind, string) {
	s := strings.ReplaceAll(strings.TrimSpace(p), "/", `\`)
	if rest, ok := strings.CutPrefix(s, `\\?\`); ok {
		if strings.HasPrefix(strings.ToUpper(rest), `UNC\`) {
			s = `\\` + rest[len(`UNC\`):]
		} else {
			s = rest
		}
	}
	if rest, ok := strings.CutPrefix(s, `\\`); ok {
		host, _, _ := strings.Cut(rest, `\`)
		if host == "" {
			return PathOther, ""
		}
		return PathUNC, host
	}
	if len(s) >= 2 && s[1] == ':' && isLetter(s[0]) {
		return PathDrive, strings.ToUpper(s[:2])
	}
	return PathOther, ""
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// SMB checks that the file server behind a storage path accepts
// connections on port 445 from this machine. A drive letter is skipped with
// a warning, since octoha cannot tell a local disk from a drive mapped for
// one user (reference §3.3).
func SMB(ctx context.Context, env Env, field, path string) validate.Findings {
	kind, where := ParseStoragePath(path)
	switch kind {
	case PathDrive:
		return validate.Findings{{ID: "smb.reach", Severity: validate.Warning, Field: field,
			Message: fmt.Sprintf("%s is on drive %s, which octoha cannot check: a mapped drive exists only for the user who mapped it, and a local disk is not shared at all.", path, where),
			Fix:     `Prefer the UNC path (\\server\share\...). If it must be a drive, map it persistently for the Octopus service account, or make the folder a symlink to the share, on every node.`}}
	case PathOther:
		return nil
	}
	return TCP(ctx, env, Port{ID: "smb.reach", Field: field, Host: where, Port: SMBPort,
		Role: "File server " + where + " (SMB)",
		Fix:  "Every node reaches the share over SMB on TCP 445: check the file server is up, shares the folder, and that firewalls between the nodes and it allow 445."})
}
