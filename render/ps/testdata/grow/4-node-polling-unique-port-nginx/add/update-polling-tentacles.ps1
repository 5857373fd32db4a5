#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Makes this polling Tentacle poll node OCTO9, which joined the Octopus Server HA cluster (octoha).
.DESCRIPTION
    Run this on every existing polling Tentacle (unique-port). Each node
    queues work for a polling Tentacle in its own memory, so a Tentacle must
    poll every node (https://octopus.com/docs/administration/high-availability/polling-tentacles-with-ha).

    It adds the new node's comms address with poll-server, which needs
    Tentacle 6.3.341 or later for --server-comms-address (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line).
    A Tentacle reads its trusted servers only when it starts, so when the
    script changed them it then restarts the Tentacle service: run it when
    no deployment is using this machine. A stopped Tentacle service is
    started, and the script checks that the service runs before it ends.

    Safe to run twice: an address already in place is left alone, and the
    service is not restarted when nothing changed. If an earlier run
    stopped after changing the address but before the restart, run it
    again with -Restart. Run it with -WhatIf to see every step first.

    The run is logged under $env:ProgramData\octoha\logs. The script prints
    no secret, so the API key never reaches that transcript. But Tentacle.exe
    takes the API key only as a command-line argument: it is visible to
    local administrators while the command runs, and is recorded wherever
    command-line auditing is on (Security event 4688, Sysmon event 1,
    PowerShell module logging event 4103). Tentacle.exe documents no other
    way to pass it; a short-lived key limits the harm.
.PARAMETER ApiKey
    An Octopus API key (API-...) of a user allowed to register targets;
    poll-server reads the cluster's certificate through the API.
.PARAMETER InstallDir
    The folder Tentacle.exe is installed in.
.PARAMETER Restart
    Restart the Tentacle service even when this run changed nothing: for a
    run after one that changed the address but stopped before its restart.
.EXAMPLE
    $key = Read-Host -AsSecureString -Prompt 'Octopus API key'
    .\update-polling-tentacles.ps1 -ApiKey $key
.EXAMPLE
    .\update-polling-tentacles.ps1 -WhatIf
    Shows every step without changing anything.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [SecureString] $ApiKey,
    [string] $InstallDir = 'C:\Program Files\Octopus Deploy\Tentacle',
    [switch] $Restart
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'update-polling-tentacles'

# Values from the octoha answers file.
$Instance = 'Tentacle'
$ServiceName = 'OctopusDeploy Tentacle'
$ServerUrl = 'https://octopus.corp.local'
$NodeName = 'OCTO9'
# The node's comms address exactly as Tentacle stores it: https, host and
# port (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line).
$NodeAddress = 'https://octopus-poll.corp.local:10947'
$MinimumVersion = [version] '6.3.341'

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

function Invoke-Tentacle {
    <#
    .SYNOPSIS
        Runs one Tentacle.exe command and checks its exit code.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $Command,
        [string[]] $Arguments = @()
    )
    # --console, as the Tentacle automation docs advise (https://octopus.com/docs/infrastructure/deployment-targets/tentacle/windows/automating-tentacle-installation).
    Invoke-NativeCommand -FilePath $TentacleExe -Name ('Tentacle.exe ' + $Command) -Arguments (@($Command, '--console') + $Arguments)
}

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

# Everything this script prints is kept in a transcript. The script prints
# no secret, so none reaches the transcript.
$LogDir = [System.IO.Path]::Combine($env:ProgramData, 'octoha', 'logs')
$LogFile = [System.IO.Path]::Combine($LogDir, ('{0}-{1:yyyyMMdd-HHmmss}.log' -f $ScriptName, (Get-Date)))
$null = New-Item -ItemType 'Directory' -Path $LogDir -Force -WhatIf:$false
$null = Start-Transcript -LiteralPath $LogFile -Append -WhatIf:$false
try {
$TentacleExe = [System.IO.Path]::Combine($InstallDir, 'Tentacle.exe')
if (-not (Test-Path -LiteralPath $TentacleExe -PathType 'Leaf')) {
    throw ('Tentacle.exe is not in {0}. Run this on a machine with a polling Tentacle, or pass -InstallDir.' -f $InstallDir)
}
$installedVersion = (Get-Item -LiteralPath $TentacleExe).VersionInfo.FileVersion
$parsedVersion = $null
if (-not [version]::TryParse("$installedVersion", [ref] $parsedVersion) -or $parsedVersion -lt $MinimumVersion) {
    throw ('Tentacle.exe here is version {0}; poll-server --server-comms-address needs Tentacle {1} or later. Install a current Tentacle MSI and run this script again.' -f $installedVersion, $MinimumVersion)
}

# This script changes a registered Tentacle; a new machine is registered
# with register-tentacle.ps1 instead.
$existing = @(Get-InstanceName -Json ((Invoke-Tentacle -Command 'list-instances' -Arguments @('--format', 'json')) -join "`n"))
if ($existing -notcontains $Instance) {
    throw ('There is no Tentacle instance {0} on this machine. Register new machines with register-tentacle.ps1.' -f $Instance)
}
if ((Get-TentacleServiceStatus) -eq '') {
    throw ('The Tentacle service {0} is not installed on this machine. Nothing was changed. Run register-tentacle.ps1 on this machine first.' -f $ServiceName)
}
$configuration = (Invoke-Tentacle -Command 'show-configuration' -Arguments @('--instance', $Instance)) -join "`n"
# Set when this run changes the trusted servers (under -WhatIf, when it
# would): only then (or with -Restart) the service restarts.
$changed = $false

if (Test-PollsAddress -Configuration $configuration -Address $NodeAddress) {
    Write-Output ('This Tentacle already polls {0} at {1}: already done. If an earlier run stopped before restarting the Tentacle, run this again with -Restart.' -f $NodeName, $NodeAddress)
}
else {
    $changed = $true
    if ($PSCmdlet.ShouldProcess($NodeAddress, ('Poll the new node {0}' -f $NodeName))) {
        # poll-server reuses the Tentacle's subscription id and the cluster's
        # one certificate (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line). --apiKey is taken only as an
        # argument: it is visible to local administrators while the command
        # runs and in command-line audit logs where those are enabled;
        # Tentacle.exe documents no other way.
        Invoke-Tentacle -Command 'poll-server' -Arguments @('--instance', $Instance, '--server', $ServerUrl, '--server-comms-address', $NodeAddress, '--apiKey', [System.Net.NetworkCredential]::new('', $ApiKey).Password)
        Assert-PollsAddress -Address $NodeAddress
    }
}

# A Tentacle reads its trusted servers only on start (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line).
# service --restart leaves a stopped service stopped and exits 0
# (OctopusTentacle WindowsServiceConfigurator.cs), so a stopped one is
# started instead, and its status then shows that it runs.
$status = Get-TentacleServiceStatus
if ($status -ne 'Running') {
    if ($PSCmdlet.ShouldProcess($ServiceName, ('Start the Tentacle service, which is {0}' -f $status))) {
        Invoke-Tentacle -Command 'service' -Arguments @('--instance', $Instance, '--start')
    }
}
elseif (-not $changed -and -not $Restart) {
    Write-Output ('Nothing changed: the Tentacle service {0} is not restarted (run with -Restart to restart it anyway).' -f $ServiceName)
}
elseif ($PSCmdlet.ShouldProcess($ServiceName, 'Restart the Tentacle service')) {
    Invoke-Tentacle -Command 'service' -Arguments @('--instance', $Instance, '--restart')
}
if (-not $WhatIfPreference) {
    Assert-TentacleRunning
}
Write-Outcome -Done ('This Tentacle polls {0} at {1}.' -f $NodeName, $NodeAddress)
}
finally {
    # Under -WhatIf, Stop-Transcript (which takes -WhatIf from PowerShell 7.4
    # on; Windows PowerShell 5.1's has none) would only say what it would do,
    # and leave the transcript recording the rest of the session.
    $WhatIfPreference = $false
    $null = Stop-Transcript
}
