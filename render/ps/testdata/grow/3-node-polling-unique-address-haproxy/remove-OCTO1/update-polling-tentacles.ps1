#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Stops this polling Tentacle polling node OCTO1, which left the Octopus Server HA cluster (octoha).
.DESCRIPTION
    Run this on every existing polling Tentacle (unique-address). Each node
    queues work for a polling Tentacle in its own memory, so a Tentacle must
    poll every node (https://octopus.com/docs/administration/high-availability/polling-tentacles-with-ha).

    It drops the node's address with clear-trusted-servers --keep, which
    needs Tentacle 8.1.1713 or later (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line). clear-trusted-servers
    drops every server not in the list, so the list is every server the
    Tentacle trusts (show-configuration) but that node: the remaining nodes,
    and any other Octopus Server it polls, such as a second instance or a
    DR cluster, stay. Before clearing, this script checks that the Tentacle
    polls each remaining node; it stops if one is missing rather than leave
    the Tentacle without that node.

    On an older Tentacle: upgrade it (install a current Tentacle MSI), then
    run this script again. If it cannot be upgraded, run
    Tentacle.exe configure --instance <instance> --reset-trust, which forgets
    EVERY trusted server and subscription id, then register it again with
    the register-tentacle.ps1 written next to this script, run with
    -Reregister (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line).
    A Tentacle reads its trusted servers only when it starts, so when the
    script changed them it then restarts the Tentacle service: run it when
    no deployment is using this machine. A stopped Tentacle service is
    started, and the script checks that the service runs before it ends.

    Safe to run twice: an address already in place is left alone, and the
    service is not restarted when nothing changed. If an earlier run
    stopped after changing the address but before the restart, run it
    again with -Restart. Run it with -WhatIf to see every step first.

    The run is logged under $env:ProgramData\octoha\logs; this script
    handles no secret.
.PARAMETER InstallDir
    The folder Tentacle.exe is installed in.
.PARAMETER Restart
    Restart the Tentacle service even when this run changed nothing: for a
    run after one that changed the address but stopped before its restart.
.PARAMETER SkipAddressCheck
    Clear without first checking that the Tentacle polls every remaining
    address. The check reads show-configuration, whose output format the
    Tentacle docs do not describe; use this only when you have checked the
    Tentacle's trusted servers yourself.
.EXAMPLE
    .\update-polling-tentacles.ps1
.EXAMPLE
    .\update-polling-tentacles.ps1 -WhatIf
    Shows every step without changing anything.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $InstallDir = 'C:\Program Files\Octopus Deploy\Tentacle',
    [switch] $SkipAddressCheck,
    [switch] $Restart
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'update-polling-tentacles'

# Values from the octoha answers file.
$Instance = 'Tentacle'
$ServiceName = 'OctopusDeploy Tentacle'
$ServerUrl = 'https://octopus.corp.local'
$NodeName = 'OCTO1'
# The node's comms address exactly as Tentacle stores it: https, host and
# port (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line).
$NodeAddress = 'https://octo1.corp.local:10943'
# Every remaining node's address, which the Tentacle must poll before the
# leaving node is dropped.
$KeepAddresses = @('https://octo2.corp.local:10943', 'https://octo3.corp.local:10943')
$MinimumVersion = [version] '8.1.1713'

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
    throw ('Tentacle.exe here is version {0}; clear-trusted-servers needs Tentacle {1} or later. Install a current Tentacle MSI and run this script again. If you cannot upgrade: Tentacle.exe configure --instance {2} --reset-trust forgets every trusted server, then run register-tentacle.ps1 -Reregister from the same folder as this script to register with the remaining nodes.' -f $installedVersion, $MinimumVersion, $Instance)
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

if (-not $SkipAddressCheck) {
    foreach ($address in $KeepAddresses) {
        if (-not (Test-PollsAddress -Configuration $configuration -Address $address)) {
            throw ('This Tentacle does not poll {0}, a node that stays in the cluster. clear-trusted-servers would leave it without that node: run register-tentacle.ps1 from the same folder as this script first (it polls every remaining node), then run this script again. If you have checked the trusted servers yourself, run it with -SkipAddressCheck.' -f $address)
        }
    }
}
# --keep takes addresses comma-separated and drops every other trusted
# server (https://github.com/OctopusDeploy/OctopusTentacle source/Octopus.Tentacle/Commands/ClearTrustedServersCommand.cs), so
# it gets the remaining nodes' addresses and every other address the
# Tentacle trusts but the leaving node's, as show-configuration lists them.
$leaving = ConvertTo-CommsAddress -Address $NodeAddress
$keep = @($KeepAddresses)
$kept = @(foreach ($address in $KeepAddresses) { ConvertTo-CommsAddress -Address $address })
$listening = @()
foreach ($server in (ConvertFrom-TentacleConfiguration -Configuration $configuration).TrustedServers) {
    if ($server.Address -eq '') {
        $listening += $server.Thumbprint
        continue
    }
    $normal = ConvertTo-CommsAddress -Address $server.Address
    if ($normal -ne $leaving -and $kept -notcontains $normal) {
        $keep += $server.Address
        $kept += $normal
    }
}
if (-not (Test-PollsAddress -Configuration $configuration -Address $NodeAddress)) {
    Write-Output ('This Tentacle does not poll {0} ({1}): already done. If an earlier run stopped before restarting the Tentacle, run this again with -Restart.' -f $NodeName, $NodeAddress)
}
elseif ($listening.Count -gt 0) {
    # ClearTrustedServersCommand reads every server's Address, and a
    # listening one has none: it would fail on it.
    throw ('This Tentacle also trusts a listening Octopus Server (certificate {0}), and clear-trusted-servers fails on one. Nothing was changed. If that certificate is not the cluster''s, remove that trust (Tentacle.exe configure --instance {1} --remove-trust {0}, which removes every trust of that certificate), run this script again, then trust it again with configure --trust; otherwise see this script''s help for --reset-trust.' -f ($listening -join ', '), $Instance)
}
else {
    $changed = $true
    if ($PSCmdlet.ShouldProcess($NodeAddress, ('Stop polling {0}; keep {1}' -f $NodeName, ($keep -join ', ')))) {
        Invoke-Tentacle -Command 'clear-trusted-servers' -Arguments @('--instance', $Instance, ('--keep=' + ($keep -join ',')))
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
Write-Outcome -Done ('This Tentacle no longer polls {0}.' -f $NodeName)
}
finally {
    # Under -WhatIf, Stop-Transcript (which takes -WhatIf from PowerShell 7.4
    # on; Windows PowerShell 5.1's has none) would only say what it would do,
    # and leave the transcript recording the rest of the session.
    $WhatIfPreference = $false
    $null = Stop-Transcript
}
