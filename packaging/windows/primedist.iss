; Inno Setup script: the Windows installer of Prime Distribution.
;
; Build the one-folder app on Windows first, then compile this script:
;   .venv\Scripts\python packaging\make_icons.py        (only when the logo changed)
;   .venv\Scripts\pyinstaller --noconfirm --clean packaging\primedist.spec
;   dist\primedist\primedist-cli.exe --self-test        (prints OK)
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\primedist.iss
; The installer is written to dist\installer\PrimeDistribution-Setup-<version>.exe.
;
; It installs per machine into Program Files, adds Start-menu shortcuts (the app, and
; Uninstall), an optional desktop shortcut, and an entry in Settings -> Apps to uninstall.
; The shop's data (%LOCALAPPDATA%\primedist) is never removed by the uninstaller.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Prime Distribution"
#define Root "..\.."

[Setup]
; Keep this AppId for every version: upgrades and the uninstaller recognise the app by it.
AppId={{6C1E0C7A-5B4F-4E57-9B3A-7D2A8F1E4C11}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Prime Distribution
DefaultDirName={autopf}\Prime Distribution
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#Root}\dist\installer
OutputBaseFilename=PrimeDistribution-Setup-{#AppVersion}
SetupIconFile={#Root}\resources\icons\primedist.ico
UninstallDisplayIcon={app}\primedist.exe
UninstallDisplayName={#AppName}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
; Vietnamese wizard: Vietnamese.isl is one of Inno Setup's unofficial translations (not
; installed with it). Put it beside this script and add:
;   Name: "vietnamese"; MessagesFile: "Vietnamese.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Root}\dist\primedist\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#Root}\resources\icons\primedist.ico"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\primedist.exe"; IconFilename: "{app}\primedist.ico"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\primedist.exe"; IconFilename: "{app}\primedist.ico"; Tasks: desktopicon

[Run]
Filename: "{app}\primedist.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Files the app may write beside itself (none today); the data dir stays.
Type: filesandordirs; Name: "{app}\__pycache__"
