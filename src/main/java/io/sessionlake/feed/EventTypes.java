package io.sessionlake.feed;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The event types the shop sends today; anything else is kept and counted as unknown. */
public final class EventTypes {
    public static final String PAGE_VIEW = "page_view";
    public static final String SEARCH = "search";
    public static final String ADD_TO_CART = "add_product_to_cart";
    public static final String REMOVE_FROM_CART = "remove_product_from_cart";
    public static final String PLACED_ORDER = "placed_order";

    public static final Set<String> KNOWN = Set.of(
            PAGE_VIEW, ADD_TO_CART, REMOVE_FROM_CART, "sign_up_success", "visit_related_product",
            "visit_recently_visited_product", "visit_personal_recommendation", SEARCH, PLACED_ORDER);

    private static final Map<String, String> CANONICAL = KNOWN.stream()
            .collect(Collectors.toUnmodifiableMap(Function.identity(), Function.identity()));

    private EventTypes() {
    }

    public static boolean isKnown(String type) {
        return KNOWN.contains(type);
    }

    /**
     * The constant instance for a known (lower-case) type, else the type itself. Types are compared for
     * every event (the session counts, the unknown-type tally); with one instance each compare is an
     * identity check instead of a walk over the characters.
     */
    public static String canonical(String type) {
        return CANONICAL.getOrDefault(type, type);
    }
}
