import Vapor

/// Every route of the application, grouped by feature: the whole surface in one file.
func routes(_ app: Application) throws {
    let web = app.grouped(SessionMiddleware(), CSRFMiddleware())

    // Public
    app.get("health", use: HealthController.health)
    web.get(use: PublicCallsController.home)
    web.get("calls", "timetable", use: PublicCallsController.timetable)
    app.get("calls", "timetable.csv", use: PublicCallsController.timetableCSV)
    app.get("calls", "timetable.json", use: PublicCallsController.timetableJSON)
    web.get("calls", ":reference", use: PublicCallsController.show)
    web.post("calls", ":reference", "sessions", use: PublicCallsController.registerForSession)
    web.get("language", ":code", use: AccountsController.setLanguage)

    // Accounts
    web.get("register", use: AccountsController.registerForm)
    web.post("register", use: AccountsController.register)
    web.get("confirm", ":token", use: AccountsController.confirm)
    web.get("login", use: AccountsController.loginForm)
    web.post("login", use: AccountsController.login)
    web.post("logout", use: AccountsController.logout)
    web.get("password", "forgot", use: AccountsController.forgotForm)
    web.post("password", "forgot", use: AccountsController.forgot)
    web.get("password", "reset", ":token", use: AccountsController.resetForm)
    web.post("password", "reset", ":token", use: AccountsController.reset)
    web.get("account", use: AccountsController.account)
    web.get("account", "password", use: AccountsController.changePasswordForm)
    web.post("account", "password", use: AccountsController.changePassword)

    // Organisations
    web.get("organisations", use: OrganisationsController.list)
    web.get("organisations", "new", use: OrganisationsController.newForm)
    web.post("organisations", use: OrganisationsController.create)
    web.get("organisations", ":orgID", use: OrganisationsController.show)
    web.get("organisations", ":orgID", "edit", use: OrganisationsController.editForm)
    web.post("organisations", ":orgID", "edit", use: OrganisationsController.update)
    web.get("organisations", ":orgID", "members", use: MembersController.list)
    web.post("organisations", ":orgID", "members", "invite", use: MembersController.invite)
    web.post("organisations", ":orgID", "members", ":memberID", use: MembersController.change)
    web.post("organisations", ":orgID", "members", ":memberID", "remove", use: MembersController.remove)
    web.get("invitations", ":token", use: MembersController.showInvitation)
    web.post("invitations", ":token", use: MembersController.acceptInvitation)

    // Staff: programmes and calls
    let staff = web.grouped("staff")
    staff.get("programmes", use: ProgrammesController.list)
    staff.get("programmes", "new", use: ProgrammesController.newForm)
    staff.post("programmes", use: ProgrammesController.create)
    staff.get("programmes", ":programmeID", "edit", use: ProgrammesController.editForm)
    staff.post("programmes", ":programmeID", "edit", use: ProgrammesController.update)
    staff.get("calls", use: StaffCallsController.list)
    staff.get("calls", "new", use: StaffCallsController.newForm)
    staff.post("calls", use: StaffCallsController.create)
    staff.get("calls", ":callID", use: StaffCallsController.manage)
    staff.get("calls", ":callID", "edit", use: StaffCallsController.editForm)
    staff.post("calls", ":callID", "edit", use: StaffCallsController.update)
    staff.post("calls", ":callID", "publish") { try await StaffCallsController.setStatus($0, to: .published) }
    staff.post("calls", ":callID", "close") { try await StaffCallsController.setStatus($0, to: .closed) }
    staff.post("calls", ":callID", "objectives", use: StaffCallsController.addObjective)
    staff.post("calls", ":callID", "actions", use: StaffCallsController.addAction)
    staff.post("calls", ":callID", "items", use: StaffCallsController.addItem)
    staff.post("calls", ":callID", "sessions", use: StaffCallsController.addSession)
    staff.post("calls", ":callID", ":part", ":partID", "delete", use: StaffCallsController.deletePart)
    staff.get("calls", ":callID", "sessions", ":sessionID", use: StaffCallsController.registrations)
    staff.get("calls", ":callID", "sessions", ":sessionID", "registrations.csv", use: StaffCallsController.registrationsCSV)

    // Admin
    let admin = web.grouped("admin")
    admin.get("users", use: AdminController.users)
    admin.post("users", ":userID", "role", use: AdminController.setRole)
    admin.post("users", ":userID", "deactivate") { try await AdminController.setActive($0, active: false) }
    admin.post("users", ":userID", "reactivate") { try await AdminController.setActive($0, active: true) }
    admin.get("outbox", use: AdminController.outbox)
    admin.get("audit", use: AdminController.audit)
}
