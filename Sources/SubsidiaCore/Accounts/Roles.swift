/// A person's role on the platform. Applicants act through their organisations' memberships.
public enum UserRole: String, CaseIterable, Sendable, Codable {
    case applicant, officer, evaluator, finance, admin

    /// Department staff who read every application and organisation (officers, finance, administrators).
    /// Evaluators are not among them: they see only the applications assigned to them, once declared free
    /// of any conflict of interest (COM-09).
    public var isStaff: Bool { self == .officer || self == .finance || self == .admin }
    /// Who may set up programmes, calls and information sessions.
    public var managesCalls: Bool { self == .officer || self == .admin }
}

/// What a member may do inside one organisation.
public enum MembershipRole: String, CaseIterable, Sendable, Codable {
    case owner, editor, viewer

    public var canEditProfile: Bool { self != .viewer }
    public var canManageMembers: Bool { self == .owner }
}

public enum MembershipRules {
    public enum Refusal: String, Error, Sendable, Equatable { case lastOwner }

    /// An organisation always keeps at least one owner: the last one can neither leave nor be demoted.
    public static func checkChange(of member: MembershipRole, to newRole: MembershipRole?, ownerCount: Int) throws(Refusal) {
        if member == .owner && newRole != .owner && ownerCount <= 1 { throw .lastOwner }
    }
}

/// The legal forms an organisation can declare; they cover the eligible applicants of both seeded
/// calls (COM-01: communes, syndicats, public establishments under communes; AMIF-04: private
/// non-profits, SIS, public establishments, professional chambers, ministries and administrations).
public enum LegalForm: String, CaseIterable, Sendable, Codable {
    case commune
    case syndicatDeCommunes = "syndicat_communes"
    case etablissementPublicCommunal = "etablissement_public_communal"
    case asbl
    case fondation
    case societeImpactSocietal = "sis"
    case etablissementPublic = "etablissement_public"
    case chambreProfessionnelle = "chambre_professionnelle"
    case administrationEtat = "administration_etat"
    case company
    case other

    /// The key of the form's name in the language catalogues.
    public var labelKey: String { "legal_form." + rawValue }
    /// Public bodies of the communal sector (COM-01).
    public var isCommunalSector: Bool {
        self == .commune || self == .syndicatDeCommunes || self == .etablissementPublicCommunal
    }
}
