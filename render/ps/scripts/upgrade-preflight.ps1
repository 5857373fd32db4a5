#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Step 1 of the upgrade from ${octoha:CurrentVersion} to ${octoha:TargetVersion}: checks, then maintenance mode on (octoha).
.DESCRIPTION
    Run this on any machine with PowerShell that reaches every node's web
    port and the cluster's public URL (a node or a jump box). It follows the
    High Availability part of the Octopus upgrade guide
    (https://octopus.com/docs/administration/upgrading/guide/upgrading-minor-and-patch-releases)
    up to the point where the nodes stop. Before anything changes it checks:

    - every node answers GET /api with the version the cluster runs,
      ${octoha:CurrentVersion} (the version octopus.version names);
    - the MSI at -MsiPath is Octopus Server ${octoha:TargetVersion} (its
      ProductVersion, read through the Windows Installer);
    - that you have backed up the database and the master key
      (-ConfirmBackup): the guide backs up the database, and the master key
      and the licence key, before an upgrade. Without -ConfirmBackup the
      script stops here, and says what to back up.

    Then it puts Octopus into maintenance mode (PUT
    /api/maintenanceconfiguration, as
    https://octopus.com/docs/administration/upgrading/guide/automate-upgrades
    does), so that only administrators can change anything while the nodes
    are upgraded.

    Safe to run twice: maintenance mode already on is left on. Once a node
    has stopped this script can no longer check it: go on with the steps of
    UPGRADE.md from the one you reached. Run it with -WhatIf to see every
    step first. The run is logged under $env:ProgramData\octoha\logs; the
    API key goes only into the X-Octopus-ApiKey header of its web requests.
.PARAMETER MsiPath
    The Octopus Server MSI for ${octoha:TargetVersion} (Octopus.${octoha:TargetVersion}-x64.msi from
    https://octopus.com/downloads), on this machine or a share.
.PARAMETER ApiKey
    An Octopus API key (API-...) of an administrator, for maintenance mode.
.PARAMETER ConfirmBackup
    Say that the database backup and the master key backup exist. The
    script cannot see them; it stops before any change until you say so.
.EXAMPLE
    $key = Read-Host -AsSecureString -Prompt 'Octopus API key'
    .\upgrade-preflight.ps1 -MsiPath '\\fs01\installers\Octopus.${octoha:TargetVersion}-x64.msi' -ApiKey $key -ConfirmBackup
.EXAMPLE
    .\upgrade-preflight.ps1 -MsiPath .\Octopus.${octoha:TargetVersion}-x64.msi -ApiKey $key -WhatIf
    Checks everything and shows what would change, changing nothing.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [string] $MsiPath,
    [Parameter(Mandatory)]
    [SecureString] $ApiKey,
    [switch] $ConfirmBackup
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'upgrade-preflight'

# octoha:values

# octoha:common native-helpers

# octoha:common outcome

# octoha:common upgrade-helpers

function Get-MsiProductVersion {
    <#
    .SYNOPSIS
        The ProductVersion property of an MSI package.
    .DESCRIPTION
        Read through the Windows Installer's automation interface
        (Installer.OpenDatabase, Database.OpenView, View.Execute, View.Fetch,
        Record.StringData: https://learn.microsoft.com/windows/win32/msi/installer-opendatabase).
        The interface has no type library PowerShell can bind to, so each
        member is called through InvokeMember. Mode 0 opens the package
        read-only.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string] $Path
    )
    $installer = New-Object -ComObject 'WindowsInstaller.Installer'
    $method = [System.Reflection.BindingFlags]::InvokeMethod
    $database = $installer.GetType().InvokeMember('OpenDatabase', $method, $null, $installer, @($Path, 0))
    $view = $database.GetType().InvokeMember('OpenView', $method, $null, $database, @('SELECT `Value` FROM `Property` WHERE `Property` = ''ProductVersion'''))
    $null = $view.GetType().InvokeMember('Execute', $method, $null, $view, $null)
    $record = $view.GetType().InvokeMember('Fetch', $method, $null, $view, $null)
    if ($null -eq $record) {
        throw ('{0} has no ProductVersion: it is not an MSI package.' -f $Path)
    }
    $version = $record.GetType().InvokeMember('StringData', [System.Reflection.BindingFlags]::GetProperty, $null, $record, @(1))
    $null = $view.GetType().InvokeMember('Close', $method, $null, $view, $null)
    return [string] $version
}

# octoha:common transcript-start
try {
# Windows PowerShell 5.1 offers only SSL 3 and TLS 1.0 by default; the
# balancer in front of the cluster requires TLS 1.2.
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
$headers = @{ 'X-Octopus-ApiKey' = [System.Net.NetworkCredential]::new('', $ApiKey).Password }

foreach ($node in $Nodes) {
    $version = Get-NodeVersion -Url $node.Url
    if ($null -eq $version) {
        throw ('Node {0} does not answer at {1}/api. Every node must run {2} before the upgrade starts; if you already stopped nodes for this upgrade, this step is done: go on with UPGRADE.md from the step you reached.' -f $node.Name, $node.Url, $CurrentVersion)
    }
    if (Test-VersionNames -Version $TargetVersion -Installed $version) {
        throw ('Node {0} already runs {1}: the upgrade has begun. Go on with UPGRADE.md from the step you reached.' -f $node.Name, $version)
    }
    if (-not (Test-VersionNames -Version $CurrentVersion -Installed $version)) {
        throw ('Node {0} runs {1}, not {2} (octopus.version in the answers). Every node must run the same version: bring the answers and the nodes in line first. Nothing was changed.' -f $node.Name, $version, $CurrentVersion)
    }
    Write-Output ('Node {0} runs {1}.' -f $node.Name, $version)
}

if (-not (Test-Path -LiteralPath $MsiPath -PathType 'Leaf')) {
    throw ('There is no file {0}. Download the Octopus Server MSI for {1} (https://octopus.com/downloads) and pass its path as -MsiPath. Nothing was changed.' -f $MsiPath, $TargetVersion)
}
$msiVersion = Get-MsiProductVersion -Path $MsiPath
if (-not (Test-VersionNames -Version $TargetVersion -Installed $msiVersion)) {
    throw ('{0} is version {1}, not {2}. Pass the MSI for {2} as -MsiPath. Nothing was changed.' -f $MsiPath, $msiVersion, $TargetVersion)
}
Write-Output ('{0} is Octopus Server {1}.' -f $MsiPath, $msiVersion)

if (-not $ConfirmBackup) {
    $backup = 'Back up the database {0} on {1} (a full SQL Server backup), the master key (on any node: & {2} show-master-key --instance {3}) and the licence key, then run this again with -ConfirmBackup (https://octopus.com/docs/administration/upgrading/guide/upgrading-minor-and-patch-releases).' -f $SqlDatabase, $SqlServer, (ConvertTo-PowerShellLiteral -Value $ServerExePath), (ConvertTo-PowerShellLiteral -Value $Instance)
    if (-not $WhatIfPreference) {
        throw ('Stopped before any change. ' + $backup)
    }
    Write-Warning $backup
}

$maintenanceUri = $ServerUrl.TrimEnd('/') + '/api/maintenanceconfiguration'
if (Test-MaintenanceMode -Uri $maintenanceUri -Headers $headers) {
    Write-Output 'Maintenance mode is on: already done.'
}
elseif ($PSCmdlet.ShouldProcess($ServerUrl, 'Turn maintenance mode on')) {
    Set-MaintenanceMode -Uri $maintenanceUri -Headers $headers -On $true
    Write-Output 'Maintenance mode is on.'
}
Write-Outcome -Done @('The checks passed and maintenance mode is on. Next, on every node: its upgrade-stop-NODE.ps1 (UPGRADE.md, step 2).')
}
finally {
    # The headers hold the API key in plain text: drop them on every way out.
    $headers = $null
    # octoha:common transcript-stop
}
