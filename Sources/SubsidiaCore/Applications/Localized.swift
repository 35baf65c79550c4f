import Foundation

/// A text kept in the three languages of the platform; English and German fall back to French.
public struct Localized: Codable, Sendable, Equatable, Hashable {
    public var fr: String
    public var en: String
    public var de: String

    public init(fr: String, en: String, de: String) {
        self.fr = fr
        self.en = en
        self.de = de
    }

    public func text(_ language: Language) -> String {
        switch language {
        case .fr: fr
        case .en: en.isEmpty ? fr : en
        case .de: de.isEmpty ? fr : de
        }
    }
}
