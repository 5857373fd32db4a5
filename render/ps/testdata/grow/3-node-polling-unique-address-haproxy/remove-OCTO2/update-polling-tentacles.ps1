#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Stops this polling Tentacle polling node OCTO2, which left the Octopus Server HA cluster (octoha).
.DESCRIPTION
    Run this on every existing polling Tentacle (unique-address). Each node
    queues work for a polling Tentacle in its own memory, so a Tentacle must
    poll every node (reference §6.2).

    It keeps exactly the addresses of the remaining nodes with
    clear-trusted-servers --keep, which needs Tentacle 8.1.1713 or later
    (reference §6.3). clear-trusted-servers drops every address not in the
    list, so before clearing this script checks that the Tentacle polls each
    remaining address; it stops if one is missing rather than leave the
    Tentacle without that node.

    On an older Tentacle: upgrade it (install a current Tentacle MSI), then
    run this script again. If it cannot be upgraded, run
    Tentacle.exe configure --instance <instance> --reset-trust, which forgets
    EVERY trusted server and subscription id, then register it again with
    the register-tentacle.ps1 written next to this script (reference §6.3).
    A Tentacle reads its trusted servers only when it starts, so when the
    script changed them it then restarts the Tentacle service: run it when
    no deployment is using this machine.

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
    reference does not describe; use this only when you have checked the
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
$NodeName = 'OCTO2'
# The node's comms address exactly as Tentacle stores it: https, host and
# port (reference §6.3).
$NodeAddress = 'https://octo2.corp.local:10943'
# Every remaining node's address; clear-trusted-servers matches them
# exactly, port included (reference §6.5).
$KeepAddresses = @('https://octo1.corp.local:10943', 'https://octo3.corp.local:10943')
$MinimumVersion = [version] '8.1.1713'

function ConvertTo-NativeArgument {
    <#
    .SYNOPSIS
        Escapes one argument for an .exe by the Windows (MSVC) rules.
    .DESCRIPTION
        PowerShell 7.3 and later escape arguments themselves. With legacy
        argument passing (Windows PowerShell 5.1, PowerShell 7.0 to 7.2, or
        $PSNativeCommandArgumentPassing = 'Legacy') an embedded double quote
        is not escaped, so a password holding a " would reach the .exe split
        in two, and an empty argument is dropped: escape both here.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Value
    )
    $passing = Get-Variable -Name 'PSNativeCommandArgumentPassing' -ValueOnly -ErrorAction 'Ignore'
    if ($null -ne $passing -and "$passing" -ne 'Legacy') {
        return $Value
    }
    if ($Value -eq '') {
        return '""'
    }
    $escaped = [regex]::Replace($Value, '(\\*)"', '$1$1\"')
    # Both editions wrap an argument holding a space in double quotes.
    # PowerShell 7's legacy mode then doubles its trailing backslashes
    # itself; Windows PowerShell 5.1 (Desktop) does not, so a value ending
    # in \ would escape the closing quote: double them here on 5.1 only.
    if ($PSVersionTable.PSEdition -eq 'Desktop' -and $escaped -match '\s') {
        $escaped = [regex]::Replace($escaped, '(\\+)$', '$1$1')
    }
    return $escaped
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
        [string[]] $Arguments = @()
    )
    $native = @(foreach ($argument in $Arguments) { ConvertTo-NativeArgument -Value $argument })
    # A tool's stderr must not stop the script (Windows PowerShell 5.1
    # turns it into errors under 'Stop'): the exit code decides.
    $ErrorActionPreference = 'Continue'
    $exitCode = $null
    try {
        & $FilePath @native
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
    # --console, as the Tentacle automation docs advise (reference §6.4).
    Invoke-NativeCommand -FilePath $TentacleExe -Name ('Tentacle.exe ' + $Command) -Arguments (@($Command, '--console') + $Arguments)
}

function Test-PollsAddress {
    <#
    .SYNOPSIS
        True when the Tentacle's configuration names the comms address.
    .DESCRIPTION
        [INFER] The reference lists Tentacle.exe show-configuration but not
        its output; Tentacle keeps each trusted server's Address as
        https://host:port/ (reference §6.4, Tentacle.config). So this looks
        for the address anywhere in that output, not followed by another
        digit of a longer port.
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
    $pattern = [regex]::Escape($Address) + '(?![0-9])'
    return [regex]::IsMatch($Configuration, $pattern, [System.Text.RegularExpressions.RegexOptions]::IgnoreCase)
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
    throw ('Tentacle.exe here is version {0}; clear-trusted-servers needs Tentacle {1} or later. Install a current Tentacle MSI and run this script again. If you cannot upgrade: Tentacle.exe configure --instance {2} --reset-trust forgets every trusted server, then run register-tentacle.ps1 from the same folder as this script to register with the remaining nodes.' -f $installedVersion, $MinimumVersion, $Instance)
}

# This script changes a registered Tentacle; a new machine is registered
# with register-tentacle.ps1 instead.
$existing = @(Get-InstanceName -Json ((Invoke-Tentacle -Command 'list-instances' -Arguments @('--format', 'json')) -join "`n"))
if ($existing -notcontains $Instance) {
    throw ('There is no Tentacle instance {0} on this machine. Register new machines with register-tentacle.ps1.' -f $Instance)
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
if (-not (Test-PollsAddress -Configuration $configuration -Address $NodeAddress)) {
    Write-Output ('This Tentacle does not poll {0} ({1}): already done. If an earlier run stopped before restarting the Tentacle, run this again with -Restart.' -f $NodeName, $NodeAddress)
}
else {
    $changed = $true
    if ($PSCmdlet.ShouldProcess($NodeAddress, ('Stop polling {0}; keep {1}' -f $NodeName, ($KeepAddresses -join ', ')))) {
        # --keep takes the addresses comma-separated and drops every other
        # trusted server (reference §6.3; OctopusTentacle ClearTrustedServersCommand.cs).
        Invoke-Tentacle -Command 'clear-trusted-servers' -Arguments @('--instance', $Instance, ('--keep=' + ($KeepAddresses -join ',')))
    }
}

# A Tentacle reads its trusted servers only on start (reference §6.3).
if (-not $changed -and -not $Restart) {
    Write-Output ('Nothing changed: the Tentacle service {0} is not restarted (run with -Restart to restart it anyway).' -f $ServiceName)
}
elseif ($PSCmdlet.ShouldProcess($ServiceName, 'Restart the Tentacle service')) {
    Invoke-Tentacle -Command 'service' -Arguments @('--instance', $Instance, '--restart')
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
