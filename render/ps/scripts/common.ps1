# The helpers octoha's scripts share. Each "#region octoha:block NAME"
# goes where a script says "# octoha:common NAME" (render/ps/scriptfile.go);
# the regions inside a block are kept or dropped with that script's flags.

#region octoha:block native-helpers
function ConvertTo-NativeArgument {
    <#
    .SYNOPSIS
        Quotes one argument for an .exe by the Windows (MSVC) rules.
    .DESCRIPTION
        Writes the argument as .NET writes each item of
        ProcessStartInfo.ArgumentList into a command line (PasteArguments in
        dotnet/runtime): as it is when it holds no white space and no double
        quote; otherwise in double quotes, each embedded " as \", and the
        backslashes before a " or before the closing quote doubled. The .exe
        reads that back as exactly this one argument, also when it is empty.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Value
    )
    if ($Value -ne '' -and $Value -notmatch '[\s"]') {
        return $Value
    }
    $escaped = [regex]::Replace($Value, '(\\*)"', '$1$1\"')
    $escaped = [regex]::Replace($escaped, '(\\+)\z', '$1$1')
    return '"' + $escaped + '"'
}

function ConvertTo-PowerShellLiteral {
    <#
    .SYNOPSIS
        A value known only at run time as a single-quoted PowerShell
        string, for a command a message prints.
    .DESCRIPTION
        PowerShell ends a single-quoted string at ' and at the Unicode single
        quotes U+2018 to U+201B alike; inside one, each is doubled.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Value
    )
    "'" + [regex]::Replace($Value, '[''\u2018-\u201B]', '$0$0') + "'"
}

function Invoke-NativeCommand {
    <#
    .SYNOPSIS
        Runs an .exe and throws when it cannot start or exits non-zero.
    .DESCRIPTION
        The error names the command (Name) but never its arguments, which
        may hold a secret.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $FilePath,
        [Parameter(Mandatory)]
        [string] $Name,
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string[]] $Arguments
    )
    # PowerShell rewrites the arguments it passes to an .exe, each version
    # its own way: Windows PowerShell 5.1 counts every " when it decides
    # whether an argument needs quotes (Pa"ss word reached the .exe as two
    # arguments), PowerShell 7.7 expands a leading ~, and every version takes
    # an argument --% for its stop-parsing token. Only the text after a --%
    # written here reaches the .exe as it is, in every version, once the
    # environment variable it names is expanded: the command line is then
    # exactly the quoted arguments joined by spaces. PowerShell 7.3+ passes
    # that text whole only with Legacy passing (Standard and Windows split it
    # at every space), so Legacy is set for this call. The variable holds the
    # arguments, which are on the .exe's command line anyway, only while the
    # .exe runs.
    $native = @(foreach ($argument in $Arguments) { ConvertTo-NativeArgument -Value $argument })
    Set-Variable -Name 'PSNativeCommandArgumentPassing' -Value 'Legacy' -Scope 'Local' -WhatIf:$false
    [Environment]::SetEnvironmentVariable('OCTOHA_NATIVE_ARGUMENTS', ($native -join ' '))
    # A tool's stderr must not stop the script (Windows PowerShell 5.1
    # turns it into errors under 'Stop'): the exit code decides.
    $ErrorActionPreference = 'Continue'
    $exitCode = $null
    try {
        & $FilePath --% %OCTOHA_NATIVE_ARGUMENTS%
        # Read at once: only an .exe that ran sets it, so an earlier
        # command's code is never taken for this one's.
        $exitCode = $LASTEXITCODE
    }
    catch {
        # The .exe did not start (AppLocker or WDAC, access denied): under
        # 'Continue' that error would only be printed, and the previous
        # command's exit code (often 0) would pass for success.
        $ErrorActionPreference = 'Stop'
        throw ('{0} could not run: {1}' -f $Name, $_.Exception.Message)
    }
    finally {
        # [NullString]::Value removes the variable; PowerShell would turn
        # $null into ''.
        [Environment]::SetEnvironmentVariable('OCTOHA_NATIVE_ARGUMENTS', [NullString]::Value)
        $ErrorActionPreference = 'Stop'
    }
    if ($null -eq $exitCode) {
        throw ('{0} ran but reported no exit code. Read its output above; this run is logged in {1}.' -f $Name, $LogFile)
    }
    if ($exitCode -ne 0) {
        throw ('{0} failed with exit code {1}. Read its output above; this run is logged in {2}.' -f $Name, $exitCode, $LogFile)
    }
}

function Get-InstanceName {
    <#
    .SYNOPSIS
        Reads the instance names from list-instances --format json output.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Json
    )
    $start = $Json.IndexOf('[')
    $end = $Json.LastIndexOf(']')
    if ($start -lt 0 -or $end -lt $start) {
        throw 'list-instances printed no JSON list of instances. Run it by hand with --format json to see why.'
    }
    # Windows PowerShell 5.1 emits a JSON array as ONE object (an empty
    # array for []), PowerShell 7 emits its items: foreach over the value
    # handles both. Wrapping the call in @() would, on 5.1, hold an empty
    # array whose .InstanceName throws under Set-StrictMode.
    $parsed = ConvertFrom-Json -InputObject $Json.Substring($start, $end - $start + 1)
    foreach ($instance in $parsed) {
        if ($null -ne $instance -and $null -ne $instance.PSObject.Properties['InstanceName']) {
            $instance.InstanceName
        }
    }
}
#endregion octoha:block native-helpers

#region octoha:block outcome
function Write-Outcome {
    <#
    .SYNOPSIS
        The run's last lines: what it did, or under -WhatIf that it changed
        nothing, so a -WhatIf run never claims the work was done.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [string[]] $Done
    )
    if ($WhatIfPreference) {
        return '-WhatIf: nothing was changed. Run the script without -WhatIf to make the changes listed above.'
    }
    $Done
}
#endregion octoha:block outcome

#region octoha:block transcript-start
# Everything this script prints is kept in a transcript. The script prints
# no secret, so none reaches the transcript.
$LogDir = [System.IO.Path]::Combine($env:ProgramData, 'octoha', 'logs')
$LogFile = [System.IO.Path]::Combine($LogDir, ('{0}-{1:yyyyMMdd-HHmmss}.log' -f $ScriptName, (Get-Date)))
$null = New-Item -ItemType 'Directory' -Path $LogDir -Force -WhatIf:$false
$null = Start-Transcript -LiteralPath $LogFile -Append -WhatIf:$false
#endregion octoha:block transcript-start

#region octoha:block transcript-stop
    # Under -WhatIf, Stop-Transcript (which takes -WhatIf from PowerShell 7.4
    # on; Windows PowerShell 5.1's has none) would only say what it would do,
    # and leave the transcript recording the rest of the session.
    $WhatIfPreference = $false
    $null = Stop-Transcript
#endregion octoha:block transcript-stop

#region octoha:block server-exe
function Invoke-OctopusServer {
    <#
    .SYNOPSIS
        Runs one Octopus.Server.exe command and checks its exit code.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $Command,
        [string[]] $Arguments = @()
    )
    # --console: run as a command, not as a service, also over remoting
    # (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line).
    Invoke-NativeCommand -FilePath $ServerExe -Name ('Octopus.Server.exe ' + $Command) -Arguments (@($Command, '--console') + $Arguments)
}
#endregion octoha:block server-exe

#region octoha:block drain-arguments
function Get-DrainArgument {
    <#
    .SYNOPSIS
        The arguments of node --drain=true for this node: the wait, and
        what becomes of the tasks still running at its end.
    .DESCRIPTION
        node --drain=true --wait=<s> [--cancel-tasks] [--cancel-wait=<s>]
        (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/node).
        Warns when the version the node runs, Version, may end a long wait
        early.
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory)]
        [string] $Version
    )
    $arguments = @('--instance', $Instance, '--drain=true', ('--wait={0}' -f $WaitSeconds))
    if ($CancelTasks) {
        $arguments += '--cancel-tasks'
    }
    if ($CancelWaitSeconds -gt 0) {
        $arguments += ('--cancel-wait={0}' -f $CancelWaitSeconds)
    }
    if (-not $WaitBugFixed -and $WaitSeconds -gt 300) {
        Write-Warning ('Octopus {0} may end a drain wait over 300 seconds early (fixed in {1}, https://github.com/OctopusDeploy/Issues/issues/9561).' -f $Version, ${octoha:WaitBugFixedIn})
    }
    return $arguments
}
#endregion octoha:block drain-arguments

#region octoha:block server-helpers
function Get-SqlConnectionString {
    <#
    .SYNOPSIS
        Builds the connection string with SqlConnectionStringBuilder, which
        escapes every value (the password included).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string] $DataSource,
        [Parameter(Mandatory)]
        [string] $Database,
        [PSCredential] $SqlCredential,
        [bool] $Encrypt,
        [bool] $TrustServerCertificate,
        [bool] $MultiSubnetFailover
    )
    # System.Data.SqlClient ships with Windows PowerShell 5.1 and PowerShell 7.
    # The builder is a dictionary, so PowerShell turns $builder.DataSource =
    # ... into the key 'DataSource', which it refuses: every value is set
    # through its keyword ('Data Source') instead.
    $builder = New-Object -TypeName 'System.Data.SqlClient.SqlConnectionStringBuilder'
    $builder['Data Source'] = $DataSource
    $builder['Initial Catalog'] = $Database
    if ($null -eq $SqlCredential) {
        $builder['Integrated Security'] = $true
    }
    else {
        $builder['Integrated Security'] = $false
        $builder['User ID'] = $SqlCredential.UserName
        $builder['Password'] = $SqlCredential.GetNetworkCredential().Password
    }
    $builder['Encrypt'] = $Encrypt
    # Octopus treats a missing TrustServerCertificate as True, so it is
    # always written out (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/database).
    $builder['TrustServerCertificate'] = $TrustServerCertificate
    $builder['MultiSubnetFailover'] = $MultiSubnetFailover
    $builder.ConnectionString
}
#region octoha:redis

function Get-RedisConnectionString {
    <#
    .SYNOPSIS
        Builds the StackExchange.Redis connection string for multi-node
        polling (https://octopus.com/docs/administration/high-availability/polling-tentacles-with-ha/multi-node-polling-tentacles): host:port,password=...,ssl=...
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string] $RedisHost,
        [Parameter(Mandatory)]
        [int] $Port,
        [bool] $Ssl,
        [Parameter(Mandatory)]
        [SecureString] $Secret
    )
    $plain = [System.Net.NetworkCredential]::new('', $Secret).Password
    # The format has no escape for a comma, which separates options.
    if ($plain.Contains(',')) {
        throw 'The Redis password holds a comma, which the Redis connection string cannot carry. Choose a password without one.'
    }
    $options = @(('{0}:{1}' -f $RedisHost, $Port))
    if ($plain -ne '') {
        $options += 'password=' + $plain
    }
    $options += 'ssl=' + $Ssl.ToString().ToLowerInvariant()
    $options -join ','
}

function Assert-RedisPolling {
    <#
    .SYNOPSIS
        Throws unless the node reports Redis enabled, configured and
        reachable.
    .DESCRIPTION
        The multi-node polling docs' own check (https://octopus.com/docs/administration/high-availability/polling-tentacles-with-ha/multi-node-polling-tentacles): GET
        /api/serverstatus/redis on each node, which needs no API key,
        answers IsEnabled (a connection string is set), IsConfigured
        (Octopus made a Redis connection from it) and IsReachable (it
        connected and ran a command); all three must be true. [INFER] They
        are properties of the JSON object the endpoint answers.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [int] $Port,
        [int] $Attempts = 12
    )
    $url = 'http://localhost:{0}/api/serverstatus/redis' -f $Port
    $why = @{
        IsEnabled    = 'it has no Redis connection string: run this script again, and look for an error from its configure step'
        IsConfigured = 'it could not make a Redis connection from the connection string: check tentacles.redis in the answers'
        IsReachable  = ('it could not connect to Redis at {0}:{1} and run a command: check that this node reaches that port, the TLS setting (ssl={2}) and the Redis password' -f $RedisHost, $RedisPort, $RedisSsl.ToString().ToLowerInvariant())
    }
    $failed = @()
    $last = ''
    for ($attempt = 1; $attempt -le $Attempts; $attempt++) {
        try {
            $status = Invoke-RestMethod -Uri $url -UseBasicParsing -TimeoutSec 10
            $failed = @(foreach ($name in @('IsEnabled', 'IsConfigured', 'IsReachable')) {
                    $property = $status.PSObject.Properties[$name]
                    if ($null -eq $property -or $property.Value -ne $true) {
                        $name
                    }
                })
            if ($failed.Count -eq 0) {
                Write-Output ('Redis: {0} reports IsEnabled, IsConfigured and IsReachable true.' -f $url)
                return
            }
        }
        catch {
            $failed = @()
            $last = $_.Exception.Message
            Write-Verbose -Message ('Attempt {0} of {1}: {2}' -f $attempt, $Attempts, $last)
        }
        Start-Sleep -Seconds 5
    }
    if ($failed.Count -gt 0) {
        $reasons = @(foreach ($name in $failed) { '{0} is not true: {1}.' -f $name, $why[$name] })
        throw ('Node {0} is up but cannot use Redis, so polling tentacles would not get its tasks. After {1} attempts {2} still reports: {3}' -f $NodeName, $Attempts, $url, ($reasons -join ' '))
    }
    throw ('Node {0} is up, but {1} did not answer after {2} attempts ({3}), so this script cannot tell whether the node reaches Redis for multi-node polling.' -f $NodeName, $url, $Attempts, $last)
}
#endregion octoha:redis
#region octoha:computer-account

function Get-ComputerAccount {
    <#
    .SYNOPSIS
        This machine's computer account, DOMAIN\NAME$, as which the service,
        running as Local System, reaches a remote SQL Server.
    .DESCRIPTION
        NAME$ is translated to its SID and back, which gives DOMAIN\NAME$
        with the domain's NetBIOS name, the form in which SQL Server names a
        Windows login. .NET's NTAccount.Translate asks the LSA
        (LsaLookupNames2, which "can look up the SID for any account in any
        domain in a Windows forest"; computer accounts included). [INFER] A
        name without a domain is found in the machine's own domain when no
        local account has it, and this is the account database --grant
        needs (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/database, --grant).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $account = New-Object -TypeName 'System.Security.Principal.NTAccount' -ArgumentList ($env:COMPUTERNAME + '$')
    try {
        $sid = $account.Translate([System.Security.Principal.SecurityIdentifier])
        return $sid.Translate([System.Security.Principal.NTAccount]).Value
    }
    catch {
        throw ('This machine''s computer account ({0}$) is not in a domain ({1}), so the Octopus service, running as Local System, cannot reach a remote SQL Server with Windows authentication. Nothing was changed. Join this machine to the domain, or set octopus.serviceAccount or SQL authentication in the answers and export again.' -f $env:COMPUTERNAME, $_.Exception.Message)
    }
}
#endregion octoha:computer-account

function Get-ClusterMarkerDatabase {
    <#
    .SYNOPSIS
        The "Database: <name> on <server>" line of the cluster marker file
        (or of the first node's database record), or $null when there is no
        such file or it names no database (octoha before this line was
        added).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string] $Path
    )
    if (-not (Test-Path -LiteralPath $Path -PathType 'Leaf')) {
        return $null
    }
    foreach ($line in @(Get-Content -LiteralPath $Path -Encoding 'UTF8')) {
        if ($line.StartsWith('Database: ', [System.StringComparison]::Ordinal)) {
            return $line
        }
    }
    return $null
}

function Wait-OctopusNode {
    <#
    .SYNOPSIS
        Waits until the node's ping URL answers 200 (up) or 418 (up and
        draining), https://octopus.com/docs/installation/load-balancers.
    .DESCRIPTION
        A drained node stays drained when its service restarts, and its
        ping answers 418 (https://octopus.com/docs/installation/load-balancers): a run after draining the
        node, as the help advises, finds it up and draining, and says so.
        With -Drained (a new node drained before it first started) only
        418 will do: a 200 means the drain did not hold.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [int] $Port,
        [int] $Attempts = 60,
        [switch] $Drained
    )
    $url = 'http://localhost:{0}/api/octopusservernodes/ping' -f $Port
    $status = 0
    for ($attempt = 1; $attempt -le $Attempts; $attempt++) {
        $status = 0
        try {
            $status = [int] (Invoke-WebRequest -Uri $url -UseBasicParsing -TimeoutSec 10).StatusCode
        }
        catch {
            # Both editions throw for a status other than 2xx; the status is
            # then on the exception's Response (WebException in Windows
            # PowerShell 5.1, HttpResponseException in PowerShell 7), which
            # is missing or empty when nothing answered at all.
            $response = $_.Exception.PSObject.Properties['Response']
            if ($null -ne $response -and $null -ne $response.Value) {
                $status = [int] $response.Value.StatusCode
            }
            Write-Verbose -Message ('Attempt {0} of {1}: {2}' -f $attempt, $Attempts, $_.Exception.Message)
        }
        if ($status -eq 418 -and $Drained) {
            Write-Output ('The node answers 418 at {0}: it is up and drained, as it must stay until every polling tentacle polls it.' -f $url)
            return
        }
        if ($status -eq 418) {
            Write-Output ('The node answers 418 at {0}: it is up and draining, so it starts no new tasks, and a balancer that checks its health sends it no users. Undrain it when it should take work: Disable Drain Node in Configuration > Nodes, or on this node:' -f $url)
            Write-Output ('    & {0} node --instance {1} --drain=false' -f (ConvertTo-PowerShellLiteral -Value $ServerExe), (ConvertTo-PowerShellLiteral -Value $Instance))
            return
        }
        if ($status -eq 200 -and $Drained) {
            # [INFER] The Octopus docs do not say what node --drain does
            # before the node has first run; a 200 here says it did not hold.
            throw ('The node answers 200 at {0}: the drain sent before it first started did not hold, so it is taking tasks now. Drain it at once (Drain in Configuration > Nodes), then run this script again: it drains the node before starting it again.' -f $url)
        }
        if ($status -eq 200) {
            Write-Output ('The node answers 200 at {0}: it is up.' -f $url)
            return
        }
        Start-Sleep -Seconds 5
    }
    $last = 'no answer'
    if ($status -ne 0) {
        $last = 'the last answer was {0}' -f $status
    }
    throw ('The node did not answer 200, or 418 (draining), at {0} after {1} attempts ({2}). Read the Octopus Server log in the home folder ({3}) and the service''s state.' -f $url, $Attempts, $last, $HomeDir)
}
#endregion octoha:block server-helpers

#region octoha:block node-firewall
# Windows Firewall: the ports CHECKLIST.md lists for this node, inbound
# TCP from any address: the web port, for the balancer (portal, API and
#region octoha:polling-comms
# health check), and the comms port, for ${octoha:CommsFrom}.
#endregion octoha:polling-comms
#region octoha:!polling-comms
# health check).
#endregion octoha:!polling-comms
# One named rule per port, made once (https://octopus.com/docs/administration/high-availability/polling-tentacles-with-ha). -SkipFirewall
# leaves the firewall to you (Group Policy, or rules of your own).
$firewallRules = @(
    @{ Name = ('octoha-octopus-web-{0}' -f $WebPort); Port = $WebPort; DisplayName = ('Octopus Deploy Server web portal (TCP {0})' -f $WebPort) }
#region octoha:polling-comms
    @{ Name = ('octoha-octopus-comms-{0}' -f $CommsPort); Port = $CommsPort; DisplayName = ('Octopus Deploy Server polling tentacles (TCP {0})' -f $CommsPort) }
#endregion octoha:polling-comms
)
if ($SkipFirewall) {
    Write-Output ('Windows Firewall is left alone (-SkipFirewall): allow inbound TCP {0} to this node yourself.' -f (@($firewallRules | ForEach-Object { $_.Port }) -join ' and '))
}
else {
    foreach ($rule in $firewallRules) {
        if ($null -ne (Get-NetFirewallRule -Name $rule.Name -ErrorAction 'Ignore')) {
            Write-Output ('Firewall rule {0}: already done.' -f $rule.Name)
        }
        elseif ($PSCmdlet.ShouldProcess($rule.Name, ('Allow inbound TCP {0}' -f $rule.Port))) {
            $null = New-NetFirewallRule -Name $rule.Name -DisplayName $rule.DisplayName -Description ('Made by octoha for Octopus Deploy node {0}.' -f $NodeName) -Direction 'Inbound' -Protocol 'TCP' -LocalPort $rule.Port -Action 'Allow'
        }
    }
}
#endregion octoha:block node-firewall

#region octoha:block server-checks
# Octopus.Server.exe must be installed, at the version every node runs
# (https://octopus.com/docs/administration/high-availability: all nodes run the same version).
$ServerExe = [System.IO.Path]::Combine($InstallDir, 'Octopus.Server.exe')
if (-not (Test-Path -LiteralPath $ServerExe -PathType 'Leaf')) {
    throw ('Octopus.Server.exe is not in {0}. Install the Octopus Server MSI, version {1}, on this machine first (msiexec /i Octopus.{1}-x64.msi /quiet RUNMANAGERONEXIT=no), then run this script again.' -f $InstallDir, $OctopusVersion)
}
$installedVersion = (Get-Item -LiteralPath $ServerExe).VersionInfo.FileVersion
if (-not ("$installedVersion" + '.').StartsWith($OctopusVersion + '.', [System.StringComparison]::Ordinal)) {
    if (-not $SkipVersionCheck) {
        throw ('Octopus.Server.exe here is version {0}, but the cluster runs {1}. Every node must run the same version: install the Octopus Server MSI, version {1}, and run this script again (or, if the answers name the version differently, run it with -SkipVersionCheck).' -f $installedVersion, $OctopusVersion)
    }
    Write-Warning ('Octopus.Server.exe here is version {0}, but the cluster runs {1}; going on because of -SkipVersionCheck. Every node must run the same version.' -f $installedVersion, $OctopusVersion)
}
if (-not (Test-Path -LiteralPath $StorageRoot -PathType 'Container')) {
    throw ('The shared folder {0} cannot be reached as {1}. Check the share and NTFS permissions, and use a UNC path: mapped drives are per user (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/path).' -f $StorageRoot, [System.Security.Principal.WindowsIdentity]::GetCurrent().Name)
}
$MarkerPath = [System.IO.Path]::Combine($StorageRoot, $MarkerFileName)
# The marker names the cluster's database, so a marker an earlier cluster
# left on the share is not taken for this one's.
$MarkerDatabase = 'Database: {0} on {1}' -f $SqlDatabase, $SqlDataSource
#endregion octoha:block server-checks

#region octoha:block node-check
function Assert-ThisNode {
    <#
    .SYNOPSIS
        Stops, before anything changes, unless the Octopus instance on this
        machine is the node this script was made for.
    .DESCRIPTION
        A script made for one node sets that node's name, addresses and
        service: run on another node of the cluster, it would turn that node
        into this one. show-configuration prints the instance's settings;
        the node name is Octopus.Server.NodeName, and without it Octopus
        uses the machine name (the setting Octopus reads, and OctopusDSC's
        import of the same key from the instance's config file; the flat
        JSON format and --noconsolelogging are in the show-configuration
        docs). [INFER] The flat JSON has that key as a property name.
    #>
    [CmdletBinding()]
    param()
    $output = (Invoke-OctopusServer -Command 'show-configuration' -Arguments @('--instance', $Instance, '--format', 'json', '--noconsolelogging')) -join "`n"
    $start = $output.IndexOf('{')
    $end = $output.LastIndexOf('}')
    if ($start -lt 0 -or $end -lt $start) {
        throw ('show-configuration printed no JSON, so this script cannot tell which node this machine is. Nothing was changed. Run it by hand to see why: & {0} show-configuration --instance {1} --format json' -f (ConvertTo-PowerShellLiteral -Value $ServerExe), (ConvertTo-PowerShellLiteral -Value $Instance))
    }
    $settings = ConvertFrom-Json -InputObject $output.Substring($start, $end - $start + 1)
    $localNode = $env:COMPUTERNAME
    $setting = $settings.PSObject.Properties['Octopus.Server.NodeName']
    if ($null -ne $setting -and "$($setting.Value)" -ne '') {
        $localNode = [string] $setting.Value
    }
    if ($localNode -ne $NodeName) {
        throw ('This script is for node {0}, but the Octopus instance {1} on this machine ({2}) is node {3}. Nothing was changed. Run this script on {0} itself; on {3}, run the script made for {3}.' -f $NodeName, $Instance, $env:COMPUTERNAME, $localNode)
    }
}
#endregion octoha:block node-check

#region octoha:block instance-existed
# Whether this machine had the instance before this run: create-instance is
# skipped then, and the first node reads it before its database step.
$existing = @(Get-InstanceName -Json ((Invoke-OctopusServer -Command 'list-instances' -Arguments @('--format', 'json')) -join "`n"))
$instanceExisted = $existing -contains $Instance
if ($instanceExisted) {
    Assert-ThisNode
}
#endregion octoha:block instance-existed

#region octoha:block create-instance
# create-instance names the node (--serverNodeName, https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/create-instance), and is
# skipped when the instance exists, so a second run does not make another.
$ConfigFile = [System.IO.Path]::Combine($HomeDir, $Instance + '.config')
if ($instanceExisted) {
    Write-Output ('Instance {0} already exists: already done.' -f $Instance)
}
elseif ($PSCmdlet.ShouldProcess($Instance, 'Create the Octopus Server instance')) {
    Invoke-OctopusServer -Command 'create-instance' -Arguments @('--instance', $Instance, '--config', $ConfigFile, '--home', $HomeDir, '--serverNodeName', $NodeName)
}
#endregion octoha:block create-instance

#region octoha:block sql-credential

#region octoha:sql-auth
$SqlCredential = [PSCredential]::new($SqlUser, $SqlPassword)
#endregion octoha:sql-auth
#region octoha:!sql-auth
# Windows authentication: the Octopus.Server.exe commands connect as the
# admin running this script, the service as its account; both need
# db_owner (https://octopus.com/docs/installation/sql-server-database).
$SqlCredential = $null
#region octoha:!service-account
# [INFER] Local System reaches a remote SQL Server as this computer's
# account, DOMAIN\NODE$, so database --grant makes that account db_owner
# ([INFER]: the docs do not say so). Read now, before anything
# changes: a machine outside a domain stops here.
$ComputerAccount = Get-ComputerAccount
#endregion octoha:!service-account
#endregion octoha:!sql-auth
#endregion octoha:block sql-credential

#region octoha:block configure
# webListenPrefixes: localhost, this node's name, and the public name,
# because the balancer forwards the public Host header (https://octopus.com/docs/installation/load-balancers/use-nginx-as-reverse-proxy;
# that HTTP.sys needs the public name here is [INFER], unverified).
$prefixes = @(
    ('http://localhost:{0}/' -f $WebPort)
    ('http://{0}:{1}/' -f $NodeHost, $WebPort)
#region octoha:public-host
    ('http://{0}:{1}/' -f $PublicHost, $WebPort)
#endregion octoha:public-host
)
# TLS ends at the balancer, so the node serves plain HTTP (--webForceSSL False).
$configureArguments = @('--instance', $Instance, '--webListenPrefixes', ($prefixes -join ','), '--commsListenPort', $CommsPort, '--webForceSSL', 'False')
if ($TrustedProxies.Count -gt 0) {
    # Audit events then show client addresses, not the balancer's (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/configure).
    $configureArguments += @('--trustedProxies', ($TrustedProxies -join ','))
}
if ($PSCmdlet.ShouldProcess($Instance, 'Configure web prefixes and the comms port')) {
#region octoha:redis
    # Multi-node polling (https://octopus.com/docs/administration/high-availability/polling-tentacles-with-ha/multi-node-polling-tentacles): every node gets the same Redis
    # string. The CLI takes it only as an argument, so the Redis password
    # is visible to local administrators while the command runs and in
    # command-line audit logs where those are enabled; the CLI documents no
    # other way to pass it.
    $redis = @('--multiNodePollingTentaclesRedisConnectionString', (Get-RedisConnectionString -RedisHost $RedisHost -Port $RedisPort -Ssl $RedisSsl -Secret $RedisPassword))
    Invoke-OctopusServer -Command 'configure' -Arguments ($configureArguments + $redis)
    $redis = $null
#endregion octoha:redis
#region octoha:!redis
    Invoke-OctopusServer -Command 'configure' -Arguments $configureArguments
#endregion octoha:!redis
}
# The Show-Script stops the service after configure (step 5 of
# https://octopus.com/docs/installation/automating-installation). [INFER] Before the service is installed that stop is presumably a
# no-op, so it runs only when the service exists. On a live node this stops
# Octopus until the service starts again below.
if ($null -eq (Get-Service -Name $ServiceName -ErrorAction 'Ignore')) {
    Write-Output ('The service {0} is not installed yet: nothing to stop.' -f $ServiceName)
}
elseif ($PSCmdlet.ShouldProcess($ServiceName, 'Stop the Octopus service')) {
    Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--stop')
}
#endregion octoha:block configure

#region octoha:block service-install
# Never --dependOn MSSQLSERVER, which the wizard's Show-Script adds: SQL
# Server is remote in a cluster, so the dependency would be wrong [INFER]
# (the Show-Script: https://octopus.com/docs/installation/automating-installation).
#region octoha:!service-account
if ($PSCmdlet.ShouldProcess($ServiceName, 'Install and start the service as Local System')) {
    Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--install', '--reconfigure', '--start')
}
#endregion octoha:!service-account
#region octoha:gmsa
# A gMSA has no password: install with Local System, switch the service to
# the gMSA with sc.exe, then start it (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/service).
if ($PSCmdlet.ShouldProcess($ServiceName, 'Install the service')) {
    Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--install', '--reconfigure', '--stop')
}
if ($PSCmdlet.ShouldProcess($ServiceName, 'Run the service as the gMSA')) {
    $scExe = [System.IO.Path]::Combine($env:SystemRoot, 'System32', 'sc.exe')
    Invoke-NativeCommand -FilePath $scExe -Name 'sc.exe config' -Arguments @('config', $ServiceName, 'obj=', $ServiceAccount)
}
if ($PSCmdlet.ShouldProcess($ServiceName, 'Start the service')) {
    Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--start')
}
#endregion octoha:gmsa
#region octoha:service-password
if ($PSCmdlet.ShouldProcess($ServiceName, 'Install and start the service as the service account')) {
    # The password goes through the documented OCTOPUS_SERVICE_PASSWORD
    # variable, not the command line (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line), and is cleared after.
    $env:OCTOPUS_SERVICE_PASSWORD = [System.Net.NetworkCredential]::new('', $ServicePassword).Password
    try {
        Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--install', '--reconfigure', '--start', '--username', $ServiceAccount)
    }
    finally {
        Remove-Item -LiteralPath 'Env:OCTOPUS_SERVICE_PASSWORD' -ErrorAction 'SilentlyContinue' -WhatIf:$false
    }
}
#endregion octoha:service-password
#endregion octoha:block service-install

#region octoha:block tentacle-configuration
function ConvertFrom-TentacleConfiguration {
    <#
    .SYNOPSIS
        Reads Tentacle.exe show-configuration's output: this Tentacle's
        certificate thumbprint and the Octopus Servers it trusts.
    .DESCRIPTION
        show-configuration prints the instance's settings as JSON, each
        key's dots making the levels: Tentacle.CertificateThumbprint, and
        Tentacle.Communication.TrustedOctopusServers, a list of servers with
        a Thumbprint and an Address (https://host:port for a polling one,
        null for a listening one). Sources: OctopusTentacle
        ShowConfigurationCommand.cs, JsonHierarchicalKeyValueStore.cs,
        TentacleConfiguration.cs and OctopusServerConfiguration.cs.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Configuration
    )
    $start = $Configuration.IndexOf('{')
    $end = $Configuration.LastIndexOf('}')
    if ($start -lt 0 -or $end -lt $start) {
        throw ('Tentacle.exe show-configuration printed no JSON. Run it by hand to see why: & {0} show-configuration --instance {1}' -f (ConvertTo-PowerShellLiteral -Value $TentacleExe), (ConvertTo-PowerShellLiteral -Value $Instance))
    }
    $settings = ConvertFrom-Json -InputObject $Configuration.Substring($start, $end - $start + 1)
    $thumbprint = ''
    $servers = @()
    # Under Set-StrictMode a missing setting would throw: each level is
    # read through PSObject.Properties.
    $tentacle = $settings.PSObject.Properties['Tentacle']
    if ($null -ne $tentacle -and $null -ne $tentacle.Value) {
        $certificate = $tentacle.Value.PSObject.Properties['CertificateThumbprint']
        if ($null -ne $certificate -and $null -ne $certificate.Value) {
            $thumbprint = [string] $certificate.Value
        }
        $communication = $tentacle.Value.PSObject.Properties['Communication']
        if ($null -ne $communication -and $null -ne $communication.Value) {
            $list = $communication.Value.PSObject.Properties['TrustedOctopusServers']
            if ($null -ne $list) {
                # foreach reads a list whether ConvertFrom-Json gave it as
                # one array (Windows PowerShell 5.1) or as its items.
                foreach ($server in $list.Value) {
                    if ($null -eq $server -or $null -eq $server.PSObject.Properties['Thumbprint']) {
                        continue
                    }
                    $address = ''
                    if ($null -ne $server.PSObject.Properties['Address'] -and $null -ne $server.Address) {
                        $address = [string] $server.Address
                    }
                    $servers += [pscustomobject] @{ Thumbprint = [string] $server.Thumbprint; Address = $address }
                }
            }
        }
    }
    [pscustomobject] @{ Thumbprint = $thumbprint; TrustedServers = $servers }
}

function ConvertTo-CommsAddress {
    <#
    .SYNOPSIS
        A comms address as .NET's Uri prints it (scheme and host in lower
        case, a / after the port), the form clear-trusted-servers compares
        (OctopusTentacle ClearTrustedServersCommand.cs: new Uri(...)
        .ToString() on both sides, http:// read as https://).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Address
    )
    $uri = $null
    if ([System.Uri]::TryCreate($Address.Replace('http://', 'https://'), [System.UriKind]::Absolute, [ref] $uri)) {
        return $uri.ToString()
    }
    return $Address
}
#endregion octoha:block tentacle-configuration

#region octoha:block tentacle-test-polls-address
function Test-PollsAddress {
    <#
    .SYNOPSIS
        True when the Tentacle's configuration (show-configuration output)
        lists a trusted server at the comms address.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Configuration,
        [Parameter(Mandatory)]
        [string] $Address
    )
    $wanted = ConvertTo-CommsAddress -Address $Address
    foreach ($server in (ConvertFrom-TentacleConfiguration -Configuration $Configuration).TrustedServers) {
        if ($server.Address -ne '' -and (ConvertTo-CommsAddress -Address $server.Address) -eq $wanted) {
            return $true
        }
    }
    return $false
}
#endregion octoha:block tentacle-test-polls-address

#region octoha:block tentacle-service
function Get-TentacleServiceStatus {
    <#
    .SYNOPSIS
        The Tentacle service's status (Running, Stopped, ...), or '' when
        it is not installed.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $service = Get-Service -ErrorAction 'Ignore' | Where-Object { $_.Name -eq $ServiceName }
    if ($null -eq $service) {
        return ''
    }
    return [string] $service.Status
}

function Assert-TentacleRunning {
    <#
    .SYNOPSIS
        Throws unless the Tentacle service runs, as its status shows.
    .DESCRIPTION
        The service command's exit code does not prove it: service
        --restart of a stopped service does nothing and exits 0
        (OctopusTentacle WindowsServiceConfigurator.cs, RestartService).
    #>
    [CmdletBinding()]
    param()
    $status = ''
    for ($attempt = 1; $attempt -le 6; $attempt++) {
        $status = Get-TentacleServiceStatus
        if ($status -eq 'Running') {
            Write-Output ('The Tentacle service {0} is running.' -f $ServiceName)
            return
        }
        Start-Sleep -Seconds 5
    }
    if ($status -eq '') {
        $status = 'not installed'
    }
    throw ('The Tentacle service {0} is {1}, not running, so this Tentacle reaches no Octopus node. Read OctopusTentacle.txt in the Logs folder of the Tentacle''s home folder, start the service, and run this script again.' -f $ServiceName, $status)
}
#endregion octoha:block tentacle-service

#region octoha:block tentacle-assert-polls-address
function Assert-PollsAddress {
    <#
    .SYNOPSIS
        Throws unless show-configuration now lists the comms address.
    .DESCRIPTION
        [INFER] poll-server's exit code is not documented to prove that the
        address was added (the Tentacle docs are silent, https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line), and an older
        PollCommand returns 0 without adding it: read the configuration
        again after poll-server and stop if the address is missing.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $Address
    )
    $configuration = (Invoke-Tentacle -Command 'show-configuration' -Arguments @('--instance', $Instance)) -join "`n"
    if (-not (Test-PollsAddress -Configuration $configuration -Address $Address)) {
        throw ('poll-server ran, but the Tentacle configuration (show-configuration) does not list {0}: this Tentacle does not poll that node. Install a current Tentacle MSI and run this script again.' -f $Address)
    }
}
#endregion octoha:block tentacle-assert-polls-address

#region octoha:block upgrade-helpers
function Test-VersionNames {
    <#
    .SYNOPSIS
        True when an installed or reported version is the version named:
        the same dotted parts as far as the name goes (steps.VersionNames),
        so a name X.Y names every X.Y.Z build.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)]
        [string] $Version,
        [AllowEmptyString()]
        [string] $Installed
    )
    return ("$Installed".Trim() + '.').StartsWith($Version + '.', [System.StringComparison]::Ordinal)
}

function Get-NodeVersion {
    <#
    .SYNOPSIS
        The Octopus version a node reports at GET /api (its Version), or
        $null when it does not answer.
    .DESCRIPTION
        The API's root document needs no API key and carries the server's
        Version (https://octopus.com/docs/administration/upgrading/guide/automate-upgrades
        reads it the same way).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string] $Url
    )
    try {
        $root = Invoke-RestMethod -Uri ($Url.TrimEnd('/') + '/api') -UseBasicParsing -TimeoutSec 30
    }
    catch {
        Write-Verbose -Message ('{0}/api: {1}' -f $Url, $_.Exception.Message)
        return $null
    }
    if ($null -eq $root -or $null -eq $root.PSObject.Properties['Version']) {
        throw ('{0}/api answered without a Version: is this an Octopus Server node?' -f $Url)
    }
    return [string] $root.Version
}

function Test-NodeRunning {
    <#
    .SYNOPSIS
        True when a node's ping URL answers 200 (up) or 418 (up and
        draining), https://octopus.com/docs/installation/load-balancers.
    .DESCRIPTION
        [INFER] A node whose service is stopped does not answer at all, and
        a node that cannot serve answers neither 200 nor 418: both count as
        not running.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)]
        [string] $Url
    )
    $status = 0
    try {
        $status = [int] (Invoke-WebRequest -Uri ($Url.TrimEnd('/') + '/api/octopusservernodes/ping') -UseBasicParsing -TimeoutSec 10).StatusCode
    }
    catch {
        # The status of a non-2xx answer is on the exception's Response in
        # both editions; it is missing when nothing answered.
        $response = $_.Exception.PSObject.Properties['Response']
        if ($null -ne $response -and $null -ne $response.Value) {
            $status = [int] $response.Value.StatusCode
        }
    }
    return ($status -eq 200 -or $status -eq 418)
}

function Test-MaintenanceMode {
    <#
    .SYNOPSIS
        Whether Octopus is in maintenance mode: GET
        /api/maintenanceconfiguration, IsInMaintenanceMode
        (https://octopus.com/docs/administration/upgrading/guide/automate-upgrades).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)]
        [string] $Uri,
        [Parameter(Mandatory)]
        [hashtable] $Headers
    )
    $configuration = Invoke-RestMethod -Uri $Uri -Headers $Headers -UseBasicParsing -TimeoutSec 30
    if ($null -eq $configuration -or $null -eq $configuration.PSObject.Properties['IsInMaintenanceMode']) {
        throw ('{0} answered without IsInMaintenanceMode; turn maintenance mode on or off in Configuration > Maintenance instead.' -f $Uri)
    }
    return [bool] $configuration.IsInMaintenanceMode
}

function Set-MaintenanceMode {
    <#
    .SYNOPSIS
        Turns maintenance mode on or off: PUT /api/maintenanceconfiguration
        with Id maintenance and IsInMaintenanceMode
        (https://octopus.com/docs/administration/upgrading/guide/automate-upgrades).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $Uri,
        [Parameter(Mandatory)]
        [hashtable] $Headers,
        [Parameter(Mandatory)]
        [bool] $On
    )
    $body = ConvertTo-Json -InputObject @{ Id = 'maintenance'; IsInMaintenanceMode = $On } -Compress
    $null = Invoke-RestMethod -Method 'Put' -Uri $Uri -Headers $Headers -Body $body -ContentType 'application/json' -UseBasicParsing -TimeoutSec 30
}
#endregion octoha:block upgrade-helpers

#region octoha:block upgrade-node-helpers
function Get-ServiceStatus {
    <#
    .SYNOPSIS
        The Octopus service's status (Running, Stopped, ...), or '' when it
        is not installed.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $service = Get-Service -ErrorAction 'Ignore' | Where-Object { $_.Name -eq $ServiceName }
    if ($null -eq $service) {
        return ''
    }
    return [string] $service.Status
}

function Get-InstalledVersion {
    <#
    .SYNOPSIS
        The FileVersion of Octopus.Server.exe on this machine.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    return [string] (Get-Item -LiteralPath $ServerExe).VersionInfo.FileVersion
}
#endregion octoha:block upgrade-node-helpers

#region octoha:block upgrade-node-checks
# This node's instance must be here, and be the node this script is for.
$ServerExe = [System.IO.Path]::Combine($InstallDir, 'Octopus.Server.exe')
if (-not (Test-Path -LiteralPath $ServerExe -PathType 'Leaf')) {
    throw ('Octopus.Server.exe is not in {0}. Run this on node {1} itself. Nothing was changed.' -f $InstallDir, $NodeName)
}
$instances = @(Get-InstanceName -Json ((Invoke-OctopusServer -Command 'list-instances' -Arguments @('--format', 'json')) -join "`n"))
if ($instances -notcontains $Instance) {
    throw ('There is no Octopus Server instance {0} on this machine ({1}). Nothing was changed. Run this script on node {2} itself.' -f $Instance, $env:COMPUTERNAME, $NodeName)
}
Assert-ThisNode
#endregion octoha:block upgrade-node-checks

<#
The blocks below are pieces of a script's help and of its param() list,
which only parse inside a script.

#region octoha:block firewall-param
    [switch] $SkipFirewall,
#endregion octoha:block firewall-param

#region octoha:block firewall-help
.PARAMETER SkipFirewall
    Leave Windows Firewall alone. Without it the script allows inbound TCP
#region octoha:polling-comms
    to this node's web port and comms port (CHECKLIST.md, Firewall), in
#endregion octoha:polling-comms
#region octoha:!polling-comms
    to this node's web port (CHECKLIST.md, Firewall), in
#endregion octoha:!polling-comms
    rules named octoha-octopus-*; use it when Group Policy or you manage
    the firewall.
#endregion octoha:block firewall-help

#region octoha:block service-password-param
#region octoha:service-password
    [Parameter(Mandatory)]
    [SecureString] $ServicePassword,
#endregion octoha:service-password
#endregion octoha:block service-password-param

#region octoha:block service-password-help
#region octoha:service-password
.PARAMETER ServicePassword
    The Windows password of the service account the Octopus service runs as.
#endregion octoha:service-password
#endregion octoha:block service-password-help

#region octoha:block sql-password-param
#region octoha:sql-auth
    [Parameter(Mandatory)]
    [SecureString] $SqlPassword,
#endregion octoha:sql-auth
#endregion octoha:block sql-password-param

#region octoha:block sql-password-help
#region octoha:sql-auth
.PARAMETER SqlPassword
    The password of the SQL login the nodes connect with.
#endregion octoha:sql-auth
#endregion octoha:block sql-password-help

#region octoha:block redis-password-param
#region octoha:redis
    [Parameter(Mandatory)]
    [SecureString] $RedisPassword,
#endregion octoha:redis
#endregion octoha:block redis-password-param

#region octoha:block redis-password-help
#region octoha:redis
.PARAMETER RedisPassword
    The password of the Redis server behind multi-node polling. For a Redis
    without a password, pass (New-Object -TypeName System.Security.SecureString).
#endregion octoha:redis
#endregion octoha:block redis-password-help

#region octoha:block version-check-help
.PARAMETER SkipVersionCheck
    Go on when Octopus.Server.exe here is not the version the answers name
    (only a warning then). Every node must run the same version
    (https://octopus.com/docs/administration/high-availability): use it only when the versions match but are spelled differently.
#endregion octoha:block version-check-help

#region octoha:block first-node-sql-rights

#region octoha:sql-auth
    SQL Server rights. Every Octopus.Server.exe command and the service
#region octoha:create-database
    connect as the SQL login ${octoha:SqlUser}, which needs the right to create
    databases on ${octoha:SqlServer} (dbcreator; the Octopus docs do not name
    the role): it then owns the database it creates.
#endregion octoha:create-database
#region octoha:!create-database
    connect as the SQL login ${octoha:SqlUser}, which needs db_owner of
    database ${octoha:SqlDatabase} on ${octoha:SqlServer}, which your DBA made
    (Octopus docs).
#endregion octoha:!create-database
#endregion octoha:sql-auth
#region octoha:!sql-auth
    SQL Server rights. With Windows authentication the database, admin,
    license, path and node commands connect as you, the admin running this
#region octoha:create-database
    script, not as the service account. You need the right to create
    databases on ${octoha:SqlServer} (dbcreator; the Octopus docs do not name
#region octoha:service-account
    the role). The first run makes the service account
#endregion octoha:service-account
#region octoha:!service-account
    the role). The first run makes this node's computer
#endregion octoha:!service-account
#endregion octoha:create-database
#region octoha:!create-database
    script, not as the service account. You need db_owner of database
    ${octoha:SqlDatabase} on ${octoha:SqlServer}, which your DBA made (Octopus
#region octoha:service-account
    docs). The first run makes the service account
#endregion octoha:service-account
#region octoha:!service-account
    docs). The first run makes this node's computer
#endregion octoha:!service-account
#endregion octoha:!create-database
#region octoha:service-account
    ${octoha:ServiceAccount} db_owner of the database with database --grant.
#endregion octoha:service-account
#region octoha:!service-account
    account (DOMAIN\NODE$, as which the service, running as Local System,
    reaches SQL Server [INFER]) db_owner of the database with database
    --grant.
#endregion octoha:!service-account
#endregion octoha:!sql-auth
#endregion octoha:block first-node-sql-rights

#region octoha:block join-sql-rights

#region octoha:sql-auth
    SQL Server rights. The database and node commands and the service
#region octoha:create-database
    connect as the SQL login ${octoha:SqlUser}, which created database
    ${octoha:SqlDatabase} on the first node's run and owns it. Reading the
#endregion octoha:create-database
#region octoha:!create-database
    connect as the SQL login ${octoha:SqlUser}, which must be db_owner of
    database ${octoha:SqlDatabase} (Octopus docs). Reading the
#endregion octoha:!create-database
#endregion octoha:sql-auth
#region octoha:!sql-auth
    SQL Server rights. With Windows authentication the database and node
    commands connect as you, the admin running this script, not as the
    service account: you need db_owner of database ${octoha:SqlDatabase} on
    ${octoha:SqlServer} (the Octopus docs ask it of the user installing
#region octoha:service-account
    Octopus). The service account ${octoha:ServiceAccount} was made
    db_owner by the first node's run (database --grant). Reading the
#endregion octoha:service-account
#region octoha:!service-account
    Octopus). This script makes this node's computer account
    (DOMAIN\NODE$, as which the service, running as Local System, reaches
    SQL Server [INFER]) db_owner of the database with database --grant. Reading the
#endregion octoha:!service-account
#endregion octoha:!sql-auth
    marker file on the share takes read access to it.
#endregion octoha:block join-sql-rights
#>
