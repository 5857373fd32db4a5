package steps

import "testing"

func TestDatabaseLoginKind(t *testing.T) {
	for _, c := range []struct {
		auth, account string
		want          string
	}{
		{AuthSQL, `CORP\svc`, LoginSQL},
		{AuthSQL, "", LoginSQL},
		{AuthWindows, `CORP\svc`, LoginWindows},
		{AuthWindows, `CORP\gmsa$`, LoginWindows},
		{AuthWindows, "", LoginComputer},
	} {
		a := Defaults()
		a.Database.Auth, a.Octopus.ServiceAccount = c.auth, c.account
		if got := a.DatabaseLoginKind(); got != c.want {
			t.Errorf("auth %s, service account %q: DatabaseLoginKind = %s, want %s", c.auth, c.account, got, c.want)
		}
		for _, l := range a.DatabaseLogins() {
			if l.Kind != c.want {
				t.Errorf("auth %s, service account %q: DatabaseLogins has a %s login, want %s", c.auth, c.account, l.Kind, c.want)
			}
		}
	}
}

func TestServerExe(t *testing.T) {
	a := Defaults()
	for dir, want := range map[string]string{
		`C:\Program Files\Octopus Deploy\Octopus`: `C:\Program Files\Octopus Deploy\Octopus\Octopus.Server.exe`,
		`D:\Octopus\`: `D:\Octopus\Octopus.Server.exe`,
	} {
		a.Octopus.InstallDir = dir
		if got := a.ServerExe(); got != want {
			t.Errorf("installDir %q: ServerExe = %q, want %q", dir, got, want)
		}
	}
}
