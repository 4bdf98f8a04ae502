//! Every string the widget shows, per language. A catalogue is a struct, so a language that
//! misses a key does not compile; the tests check the rest (non-empty, placeholders kept).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
    Fr,
    De,
    Ar,
}

pub struct Catalog {
    pub lang_tag: &'static str,
    pub rtl: bool,
    pub heading: &'static str,
    pub input_label: &'static str,
    pub input_hint: &'static str,
    pub submit: &'static str,
    pub loading: &'static str,
    pub not_found: &'static str,
    pub not_found_hint: &'static str,
    pub invalid_number: &'static str,
    pub network_error: &'static str,
    pub retry: &'static str,
    pub rate_limited: &'static str,
    pub expected_delivery: &'static str,
    pub awaiting_first_scan: &'static str,
    /// Headline before any carrier number exists.
    pub preparing: &'static str,
    pub timeline: &'static str,
    pub latest: &'static str,
    pub not_yet: &'static str,
    /// `{n}` is replaced by the number of folded scans.
    pub show_earlier: &'static str,
    pub show_fewer: &'static str,
    pub go_to_aftership: &'static str,
    pub new_tab: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub internal_number: &'static str,
    pub carrier_number: &'static str,
    pub carrier_local_time: &'static str,
    pub last_updated: &'static str,
    pub stale: &'static str,
    pub progress: &'static str,
    pub stages: [&'static str; 5],
    /// Status labels by AfterShip tag, in `Tag::ALL` order.
    pub tags: [&'static str; 9],
    /// Alert texts, in `shared::presentation::ALERTS` order.
    pub alerts: [&'static str; 5],
    /// The edge refused this page's origin: nothing the shopper can retry.
    pub unavailable: &'static str,
}

pub const EN: Catalog = Catalog {
    lang_tag: "en",
    rtl: false,
    heading: "Track your order",
    input_label: "Tracking number",
    input_hint: "Your Waymark number (WM-…) or the carrier's tracking number",
    submit: "Track",
    loading: "Looking up your shipment…",
    not_found: "We couldn't find that shipment.",
    not_found_hint:
        "Check the number in your confirmation email. New numbers can take a minute to appear.",
    invalid_number: "That number has a typo",
    network_error: "We couldn't reach the tracking service.",
    retry: "Try again",
    rate_limited: "Too many lookups in a short time. Please wait a minute and try again.",
    expected_delivery: "Expected delivery",
    awaiting_first_scan: "Label created, waiting for the carrier's first scan",
    preparing: "Your order is being prepared",
    timeline: "Shipment history",
    latest: "Latest update",
    not_yet: "Not yet",
    show_earlier: "Show {n} earlier updates",
    show_fewer: "Show fewer updates",
    go_to_aftership: "Go to AfterShip",
    new_tab: "(opens in a new tab)",
    copy: "Copy",
    copied: "Copied",
    internal_number: "Order tracking number",
    carrier_number: "Carrier tracking number",
    carrier_local_time: "Carrier's local time",
    last_updated: "Last updated",
    stale: "The carrier's latest status could not be loaded; showing the last known information.",
    progress: "Progress",
    stages: [
        "Ordered",
        "Prepared",
        "Shipped",
        "Out for delivery",
        "Delivered",
    ],
    tags: [
        "Pending",
        "Label created",
        "In transit",
        "Out for delivery",
        "Delivery attempt failed",
        "Delivered",
        "Available for pickup",
        "Exception",
        "Expired",
    ],
    alerts: [
        "The carrier tried to deliver but couldn't. They will usually try again.",
        "Your parcel is waiting at a pickup point.",
        "There is a problem with this delivery. The carrier's updates below say more.",
        "This parcel is being returned to the sender.",
        "The carrier has stopped reporting on this parcel.",
    ],
    unavailable: "Tracking isn't available on this page.",
};

pub const ES: Catalog = Catalog {
    lang_tag: "es",
    rtl: false,
    heading: "Sigue tu pedido",
    input_label: "Número de seguimiento",
    input_hint: "Tu número Waymark (WM-…) o el número de seguimiento del transportista",
    submit: "Buscar",
    loading: "Buscando tu envío…",
    not_found: "No encontramos ese envío.",
    not_found_hint: "Revisa el número en tu correo de confirmación. Los números nuevos pueden tardar un minuto en aparecer.",
    invalid_number: "Ese número tiene un error",
    network_error: "No pudimos conectar con el servicio de seguimiento.",
    retry: "Reintentar",
    rate_limited: "Demasiadas consultas en poco tiempo. Espera un minuto y vuelve a intentarlo.",
    expected_delivery: "Entrega prevista",
    awaiting_first_scan: "Etiqueta creada, esperando el primer escaneo del transportista",
    preparing: "Tu pedido se está preparando",
    timeline: "Historial del envío",
    latest: "Última actualización",
    not_yet: "Pendiente",
    show_earlier: "Ver {n} actualizaciones anteriores",
    show_fewer: "Ver menos actualizaciones",
    go_to_aftership: "Ir a AfterShip",
    new_tab: "(se abre en una pestaña nueva)",
    copy: "Copiar",
    copied: "Copiado",
    internal_number: "Número de seguimiento del pedido",
    carrier_number: "Número del transportista",
    carrier_local_time: "Hora local del transportista",
    last_updated: "Actualizado",
    stale: "No se pudo cargar el último estado del transportista; se muestra la última información conocida.",
    progress: "Progreso",
    stages: ["Pedido", "Preparado", "Enviado", "En reparto", "Entregado"],
    tags: ["Pendiente", "Etiqueta creada", "En tránsito", "En reparto", "Intento de entrega fallido", "Entregado", "Listo para recoger", "Incidencia", "Caducado"],
    alerts: [
        "El transportista intentó entregarlo sin éxito. Normalmente lo volverá a intentar.",
        "Tu paquete te espera en un punto de recogida.",
        "Hay un problema con esta entrega. Las actualizaciones del transportista dan más detalles.",
        "Este paquete se está devolviendo al remitente.",
        "El transportista ha dejado de informar sobre este paquete.",
    ],
    unavailable: "El seguimiento no está disponible en esta página.",
};

pub const FR: Catalog = Catalog {
    lang_tag: "fr",
    rtl: false,
    heading: "Suivre votre commande",
    input_label: "Numéro de suivi",
    input_hint: "Votre numéro Waymark (WM-…) ou le numéro de suivi du transporteur",
    submit: "Suivre",
    loading: "Recherche de votre envoi…",
    not_found: "Nous n'avons pas trouvé cet envoi.",
    not_found_hint: "Vérifiez le numéro dans votre e-mail de confirmation. Un nouveau numéro peut mettre une minute à apparaître.",
    invalid_number: "Ce numéro contient une faute de frappe",
    network_error: "Impossible de joindre le service de suivi.",
    retry: "Réessayer",
    rate_limited: "Trop de recherches en peu de temps. Patientez une minute puis réessayez.",
    expected_delivery: "Livraison prévue",
    awaiting_first_scan: "Étiquette créée, en attente du premier scan du transporteur",
    preparing: "Votre commande est en préparation",
    timeline: "Historique de l'envoi",
    latest: "Dernière mise à jour",
    not_yet: "Pas encore",
    show_earlier: "Afficher {n} mises à jour précédentes",
    show_fewer: "Afficher moins de mises à jour",
    go_to_aftership: "Aller sur AfterShip",
    new_tab: "(s'ouvre dans un nouvel onglet)",
    copy: "Copier",
    copied: "Copié",
    internal_number: "Numéro de suivi de commande",
    carrier_number: "Numéro du transporteur",
    carrier_local_time: "Heure locale du transporteur",
    last_updated: "Mis à jour",
    stale: "Le dernier statut du transporteur n'a pas pu être chargé ; voici les dernières informations connues.",
    progress: "Progression",
    stages: ["Commandé", "Préparé", "Expédié", "En livraison", "Livré"],
    tags: ["En attente", "Étiquette créée", "En transit", "En cours de livraison", "Échec de livraison", "Livré", "Disponible en point relais", "Incident", "Expiré"],
    alerts: [
        "Le transporteur n'a pas pu livrer. Il réessaiera généralement.",
        "Votre colis vous attend en point relais.",
        "Un problème touche cette livraison. Les mises à jour du transporteur en disent plus.",
        "Ce colis est renvoyé à l'expéditeur.",
        "Le transporteur ne donne plus de nouvelles de ce colis.",
    ],
    unavailable: "Le suivi n'est pas disponible sur cette page.",
};

pub const DE: Catalog = Catalog {
    lang_tag: "de",
    rtl: false,
    heading: "Bestellung verfolgen",
    input_label: "Sendungsnummer",
    input_hint: "Ihre Waymark-Nummer (WM-…) oder die Sendungsnummer des Versanddienstleisters",
    submit: "Verfolgen",
    loading: "Sendung wird gesucht…",
    not_found: "Diese Sendung wurde nicht gefunden.",
    not_found_hint: "Prüfen Sie die Nummer in Ihrer Bestätigungs-E-Mail. Neue Nummern können eine Minute brauchen.",
    invalid_number: "Diese Nummer enthält einen Tippfehler",
    network_error: "Der Sendungsverfolgungsdienst ist nicht erreichbar.",
    retry: "Erneut versuchen",
    rate_limited: "Zu viele Abfragen in kurzer Zeit. Bitte warten Sie eine Minute.",
    expected_delivery: "Voraussichtliche Zustellung",
    awaiting_first_scan: "Versandetikett erstellt, wartet auf den ersten Scan",
    preparing: "Ihre Bestellung wird vorbereitet",
    timeline: "Sendungsverlauf",
    latest: "Neueste Meldung",
    not_yet: "Noch nicht",
    show_earlier: "{n} frühere Meldungen anzeigen",
    show_fewer: "Weniger Meldungen anzeigen",
    go_to_aftership: "Zu AfterShip",
    new_tab: "(öffnet in neuem Tab)",
    copy: "Kopieren",
    copied: "Kopiert",
    internal_number: "Bestell-Sendungsnummer",
    carrier_number: "Nummer des Versanddienstleisters",
    carrier_local_time: "Ortszeit des Versanddienstleisters",
    last_updated: "Aktualisiert",
    stale: "Der neueste Status konnte nicht geladen werden; angezeigt wird der letzte bekannte Stand.",
    progress: "Fortschritt",
    stages: ["Bestellt", "Vorbereitet", "Versandt", "In Zustellung", "Zugestellt"],
    tags: ["Ausstehend", "Etikett erstellt", "Unterwegs", "In Zustellung", "Zustellversuch gescheitert", "Zugestellt", "Abholbereit", "Problem", "Abgelaufen"],
    alerts: [
        "Die Zustellung ist fehlgeschlagen. Meist wird es erneut versucht.",
        "Ihr Paket liegt an einer Abholstelle bereit.",
        "Es gibt ein Problem mit dieser Zustellung. Die Meldungen unten sagen mehr.",
        "Dieses Paket geht an den Absender zurück.",
        "Für dieses Paket kommen keine Meldungen mehr.",
    ],
    unavailable: "Die Sendungsverfolgung ist auf dieser Seite nicht verfügbar.",
};

pub const AR: Catalog = Catalog {
    lang_tag: "ar",
    rtl: true,
    heading: "تتبّع طلبك",
    input_label: "رقم التتبّع",
    input_hint: "رقم Waymark الخاص بك (WM-…) أو رقم تتبّع شركة الشحن",
    submit: "تتبّع",
    loading: "جارٍ البحث عن شحنتك…",
    not_found: "لم نعثر على هذه الشحنة.",
    not_found_hint: "تحقّق من الرقم في رسالة التأكيد. قد تستغرق الأرقام الجديدة دقيقة للظهور.",
    invalid_number: "يحتوي هذا الرقم على خطأ مطبعي",
    network_error: "تعذّر الوصول إلى خدمة التتبّع.",
    retry: "أعد المحاولة",
    rate_limited: "عمليات بحث كثيرة في وقت قصير. يُرجى الانتظار دقيقة ثم المحاولة مجددًا.",
    expected_delivery: "موعد التسليم المتوقّع",
    awaiting_first_scan: "تم إنشاء الملصق، بانتظار أول مسح من شركة الشحن",
    preparing: "جارٍ تجهيز طلبك",
    timeline: "سجلّ الشحنة",
    latest: "آخر تحديث",
    not_yet: "لم يتم بعد",
    show_earlier: "عرض {n} من التحديثات السابقة",
    show_fewer: "عرض تحديثات أقل",
    go_to_aftership: "الانتقال إلى AfterShip",
    new_tab: "(يفتح في علامة تبويب جديدة)",
    copy: "نسخ",
    copied: "تم النسخ",
    internal_number: "رقم تتبّع الطلب",
    carrier_number: "رقم شركة الشحن",
    carrier_local_time: "التوقيت المحلي لشركة الشحن",
    last_updated: "آخر تحديث",
    stale: "تعذّر تحميل أحدث حالة من شركة الشحن؛ نعرض آخر معلومات معروفة.",
    progress: "التقدّم",
    stages: [
        "تم الطلب",
        "تم التجهيز",
        "تم الشحن",
        "خرج للتسليم",
        "تم التسليم",
    ],
    tags: [
        "قيد الانتظار",
        "تم إنشاء الملصق",
        "في الطريق",
        "خرج للتسليم",
        "تعذّر التسليم",
        "تم التسليم",
        "جاهز للاستلام",
        "مشكلة",
        "منتهي الصلاحية",
    ],
    alerts: [
        "حاولت شركة الشحن التسليم ولم تنجح، وستحاول عادةً مرة أخرى.",
        "طردك بانتظارك في نقطة الاستلام.",
        "هناك مشكلة في هذا التسليم. تحديثات شركة الشحن أدناه توضّح المزيد.",
        "تتم إعادة هذا الطرد إلى المرسل.",
        "توقفت شركة الشحن عن إرسال تحديثات عن هذا الطرد.",
    ],
    unavailable: "التتبّع غير متاح في هذه الصفحة.",
};

#[cfg(test)]
pub const ALL: [&Catalog; 5] = [&EN, &ES, &FR, &DE, &AR];

impl Lang {
    /// Picks a language from a BCP 47 tag (`es-MX` → Spanish); English otherwise.
    pub fn from_tag(tag: &str) -> Lang {
        match tag
            .trim()
            .to_ascii_lowercase()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
        {
            "es" => Lang::Es,
            "fr" => Lang::Fr,
            "de" => Lang::De,
            "ar" => Lang::Ar,
            _ => Lang::En,
        }
    }

    pub fn catalog(self) -> &'static Catalog {
        match self {
            Lang::En => &EN,
            Lang::Es => &ES,
            Lang::Fr => &FR,
            Lang::De => &DE,
            Lang::Ar => &AR,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(c: &Catalog) -> Vec<&'static str> {
        let mut all = vec![
            c.heading,
            c.input_label,
            c.input_hint,
            c.submit,
            c.loading,
            c.not_found,
            c.not_found_hint,
            c.invalid_number,
            c.network_error,
            c.retry,
            c.rate_limited,
            c.expected_delivery,
            c.awaiting_first_scan,
            c.preparing,
            c.timeline,
            c.latest,
            c.not_yet,
            c.show_earlier,
            c.show_fewer,
            c.go_to_aftership,
            c.new_tab,
            c.copy,
            c.copied,
            c.internal_number,
            c.carrier_number,
            c.carrier_local_time,
            c.last_updated,
            c.stale,
            c.progress,
            c.unavailable,
        ];
        all.extend(c.stages);
        all.extend(c.tags);
        all.extend(c.alerts);
        all
    }

    #[test]
    fn every_catalogue_has_every_key_filled_and_translated() {
        let english = strings(&EN);
        for catalog in ALL {
            let these = strings(catalog);
            assert_eq!(these.len(), english.len());
            for (index, text) in these.iter().enumerate() {
                assert!(
                    !text.trim().is_empty(),
                    "{} key #{index} is empty",
                    catalog.lang_tag
                );
            }
            if catalog.lang_tag != "en" {
                let same = these.iter().zip(&english).filter(|(a, b)| a == b).count();
                assert!(
                    same <= 1,
                    "{} repeats {same} English strings: untranslated?",
                    catalog.lang_tag
                );
            }
        }
        const { assert!(AR.rtl && !EN.rtl) };
        for catalog in ALL {
            assert!(
                catalog.show_earlier.contains("{n}"),
                "{} show_earlier lost its {{n}}",
                catalog.lang_tag
            );
        }
    }

    #[test]
    fn languages_resolve_from_tags() {
        assert_eq!(Lang::from_tag("es-MX"), Lang::Es);
        assert_eq!(Lang::from_tag("fr_CA"), Lang::Fr);
        assert_eq!(Lang::from_tag("ar"), Lang::Ar);
        assert_eq!(Lang::from_tag("ja"), Lang::En);
    }
}
